import { withoutIdentifiers } from './erasure.service';

describe('withoutIdentifiers (the erasure reason kept in the audit log)', () => {
  const subject = { email: 'Ann.Lee@nhs.example', givenName: 'Ann', familyName: 'Lee' };

  it('takes out the email and each name, whatever their case', () => {
    expect(withoutIdentifiers('ann.lee@NHS.example asked; ANN LEE confirmed by phone; Lee again', subject)).toBe('[the person] asked; [the person] confirmed by phone; [the person] again');
  });

  it('leaves words that merely contain a name', () => {
    expect(withoutIdentifiers('Annual review, Leeds office, ref IG-1', subject)).toBe('Annual review, Leeds office, ref IG-1');
  });

  it('treats characters that mean something in a pattern as plain text', () => {
    expect(withoutIdentifiers('asked by (a.b)+1', { email: 'x@y.example', givenName: '(a.b)+1', familyName: 'Z' })).toBe('asked by [the person]');
  });
});
