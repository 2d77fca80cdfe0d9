import { safeReturnTo } from './return-to';

describe('safeReturnTo', () => {
  it('keeps a path of the portal, with its query', () => {
    expect(safeReturnTo('/cohorts/5a7e?tab=sessions')).toBe('/cohorts/5a7e?tab=sessions');
    expect(safeReturnTo('/learning')).toBe('/learning');
  });

  it.each([
    ['another site', 'https://evil.example/'],
    ['a scheme-relative address', '//evil.example/learning'],
    ['a backslash a browser reads as a slash', '/\\evil.example'],
    ['a relative path', 'learning'],
    ['a javascript: address', 'javascript:alert(1)'],
    ['a header-splitting line break', '/learning\r\nSet-Cookie: x=1'],
    ['the sign-in page itself (a loop)', '/sign-in?returnTo=/learning'],
    ['nothing', undefined],
    ['a repeated parameter', ['/a', '/b']],
  ])('falls back to Your learning for %s', (_case, value) => {
    expect(safeReturnTo(value)).toBe('/learning');
  });
});
