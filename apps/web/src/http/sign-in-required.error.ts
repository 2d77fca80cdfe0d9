/** The page needs a signed-in person: the filter sends them to sign in, and back here afterwards. */
export class SignInRequiredError extends Error {
  constructor(
    readonly returnTo: string,
    /** Their session had timed out (rather than never having begun): the sign-in page says so. */
    readonly timedOut: boolean,
  ) {
    super('Sign in to see this page.');
    this.name = 'SignInRequiredError';
  }
}
