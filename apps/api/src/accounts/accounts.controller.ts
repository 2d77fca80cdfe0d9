import { Body, Controller, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccountsService } from '@slp/identity';
import { AccessScope, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { AccountDto, CreateAccountDto } from './dto/create-account.dto';

@ApiTags('accounts')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  /** Admins create accounts; system admins only within their systems. */
  @Roles('admin')
  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateAccountDto): Promise<AccountDto> {
    const account = await this.accounts.create(AccessScope.of(principal), body);
    return { id: account.id, email: account.person.email, roles: account.roles, systemIds: account.systemIds, status: account.status, personId: account.person.id };
  }
}
