import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { InputValidationPipe, InvalidInputError, NotAuthenticatedError } from '@slp/platform';
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
    // The API's own pipe, so sign-in gets every input rule (and its stripping of `constructor` keys,
    // which class-transformer otherwise trips over: a 500).
    await new InputValidationPipe().transform(body ?? {}, { type: 'body', metatype: LoginDto, data: undefined });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<T>(error: unknown, account: T | false): T {
    if (error) throw error;
    if (!account) throw new NotAuthenticatedError('The email or password is not right.');
    return account;
  }
}
