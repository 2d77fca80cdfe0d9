import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { AllowLineBreaks } from '@slp/platform';
import { Trim } from '../../http/trim.transform';

export class ErasureRequestDto {
  /** Why the person is erased (e.g. their request under UK GDPR article 17, and its reference). Kept in the audit log without their name or email. */
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  @AllowLineBreaks()
  reason!: string;
}

export class ErasureResponseDto {
  /** When the person was erased; the same on every later request. */
  erasedAt!: string;
}
