import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_PAGE_SIZE, Page } from '@slp/platform';

/** `?limit=&cursor=` on every list route (keyset pagination). */
export class PageQueryDto {
  /** Items per page, 1–200 (default 50). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  /** `nextCursor` from the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export interface PageDto<T> {
  items: T[];
  nextCursor: string | null;
}

export function toPageDto<E, T>(page: Page<E>, map: (item: E) => T): PageDto<T> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}
