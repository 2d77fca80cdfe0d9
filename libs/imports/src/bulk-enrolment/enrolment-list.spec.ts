import { InvalidInputError } from '@slp/platform';
import { readEnrolmentList } from './enrolment-list';

const read = (text: string) => readEnrolmentList(Buffer.from(text));

function refusal(text: string | Buffer): InvalidInputError {
  try {
    readEnrolmentList(typeof text === 'string' ? Buffer.from(text) : text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('the list was accepted');
}

describe('readEnrolmentList', () => {
  it('reads headers as people write them, ignores other columns, and numbers rows by their line in the file', () => {
    const rows = read('\uFEFFFirst Name,Surname,Email Address,ODS code,Team\r\nAda,Lovelace,ada@nhs.example,rxa,Theatres\r\n\r\n Bo ,,bo@nhs.example,,\r\n');
    expect(rows).toEqual([
      { row: 2, email: 'ada@nhs.example', givenName: 'Ada', familyName: 'Lovelace', organisationOdsCode: 'RXA' },
      { row: 4, email: 'bo@nhs.example', givenName: 'Bo', familyName: null, organisationOdsCode: null },
    ]);
  });

  it('takes a list of emails alone', () => {
    expect(read('email\none@nhs.example\ntwo@nhs.example').map((r) => r.email)).toEqual(['one@nhs.example', 'two@nhs.example']);
  });

  it('lists every row problem at once, naming rows, never repeating an address', () => {
    const error = refusal('email,organisationOdsCode\nsam@nhs.example,RXA\nnope,RXA\nSAM@nhs.example,R!\nonly-one-cell\n');
    expect(error.errors).toEqual([
      { field: 'rows[3].email', message: 'row 3: email must be an email address' },
      { field: 'rows[4].organisationOdsCode', message: 'row 4: organisationOdsCode must be an ODS code of 3 to 10 letters or digits' },
      { field: 'rows[4].email', message: 'row 4: the same email address is on row 2' },
      { field: 'rows[5].row', message: 'row 5: expected 2 columns (as in the header), found 1' },
    ]);
    expect(JSON.stringify(error.errors)).not.toContain('sam@');
  });

  it.each([
    ['an empty file', '', /empty/],
    ['a file without an email column', 'name\nAda\n', /header naming the columns/],
    ['a header alone', 'email\r\n', /no data rows/],
    ['a quote never closed', 'email\n"ada@nhs.example\n', /not valid CSV/],
  ])('refuses %s', (_label, text, detail) => {
    expect(refusal(text).message).toMatch(detail);
  });

  it('refuses bytes that are not UTF-8 text', () => {
    expect(refusal(Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xe9, 0x0a])).message).toMatch(/not UTF-8/);
    expect(refusal(Buffer.from('email\n\u0000\n')).message).toMatch(/NUL byte at byte 7/);
  });
});
