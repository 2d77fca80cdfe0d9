import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { InvalidInputError, NotAuthenticatedError, validationExceptionFactory } from '@slp/platform';
import { LoginDto } from './dto/login.dto';

/**
 * Runs the `local` strategy. Guards run before pipes, so the body is validated here first: a
 * malformed login is a 400 listing the fields, not a 401.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const { body } = context.switchToHttp().getRequest<{ body: unknown }>();
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
      throw new InvalidInputError('The request body must be a JSON object.', [{ field: 'body', message: 'body must be a JSON object' }]);
    }
    const errors = await validate(plainToInstance(LoginDto, body ?? {}), { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw validationExceptionFactory(errors);
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<T>(error: unknown, account: T | false): T {
    if (error) throw error;
    if (!account) throw new NotAuthenticatedError('The email or password is not right.');
    return account;
  }
}
