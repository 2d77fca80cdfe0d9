import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccountsService, EqualityService } from '@slp/identity';
import { AccessScope, Authenticated, CurrentPrincipal, NotFoundError, Principal } from '@slp/platform';
import { PersonDto, toPersonDto } from '../people/dto/person.dto';
import { EqualityDto, EqualityResponseDto, toEqualityDto } from './dto/equality.dto';

export class MeDto {
  id!: string;
  email!: string;
  roles!: string[];
  systemIds!: string[];
  /** False until a self-registered account follows its verification link; until then it cannot enrol or see nominations. */
  emailVerified!: boolean;
  person!: PersonDto;
}

@ApiTags('me')
@Controller('me')
export class MeController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly equality: EqualityService,
  ) {}

  @Authenticated()
  @Get()
  async me(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    const account = await this.accounts.me(principal.accountId);
    return { id: account.id, email: account.person.email, roles: account.roles, systemIds: account.systemIds, emailVerified: Boolean(account.emailVerifiedAt), person: toPersonDto(account.person) };
  }

  /** Your own equality monitoring; nobody else can read it. */
  @Authenticated()
  @Get('equality')
  async getEquality(@CurrentPrincipal() principal: Principal): Promise<EqualityResponseDto> {
    const record = await this.equality.own(AccessScope.of(principal));
    if (!record) throw new NotFoundError('You have not recorded equality monitoring.');
    return toEqualityDto(record);
  }

  @Authenticated()
  @Put('equality')
  async putEquality(@CurrentPrincipal() principal: Principal, @Body() body: EqualityDto): Promise<EqualityResponseDto> {
    const { consent: _consent, ...values } = body;
    return toEqualityDto(await this.equality.put(AccessScope.of(principal), values));
  }

  /** Withdraws consent: the record is deleted. */
  @Authenticated()
  @Delete('equality')
  @HttpCode(204)
  async deleteEquality(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.equality.remove(AccessScope.of(principal));
  }
}
