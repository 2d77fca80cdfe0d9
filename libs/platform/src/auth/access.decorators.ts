import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from './principal';

export const ACCESS_POLICY = 'slp:access-policy';

export type AccessPolicy = { readonly kind: 'public' } | { readonly kind: 'authenticated' } | { readonly kind: 'roles'; readonly roles: readonly Role[] };

/**
 * Every route declares exactly one of these; the application refuses to start if one does not
 * (see AccessPolicyCheck), so forgetting authorisation is a boot failure, not a hole.
 */
export const Public = () => SetMetadata(ACCESS_POLICY, { kind: 'public' } satisfies AccessPolicy);
export const Authenticated = () => SetMetadata(ACCESS_POLICY, { kind: 'authenticated' } satisfies AccessPolicy);
export const Roles = (...roles: Role[]) => SetMetadata(ACCESS_POLICY, { kind: 'roles', roles } satisfies AccessPolicy);

export const ALLOW_WITHOUT_MFA = 'slp:allow-without-mfa';

/**
 * Opens an authenticated route to a session still waiting for multi-factor sign-in (a role in
 * MFA_REQUIRED_ROLES without a second factor): only the account's own page and the MFA set-up.
 */
export const AllowWithoutMfa = () => SetMetadata(ALLOW_WITHOUT_MFA, true);

/** The signed-in caller; only on routes that are not {@link Public}. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ user: Principal }>().user;
});
