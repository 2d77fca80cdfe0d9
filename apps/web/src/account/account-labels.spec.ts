import { AGE_BANDS, DISABILITY, ETHNIC_CATEGORIES, RELIGIONS, SEXES, SEXUAL_ORIENTATIONS } from '@slp/identity';
import { EQUALITY_QUESTIONS } from './account-labels';

describe('equality monitoring questions', () => {
  const allowed: Record<string, readonly string[]> = {
    // "Z" (not stated) is what leaving the question out records; it is not offered as an answer.
    ethnicity: ETHNIC_CATEGORIES.filter((code) => code !== 'Z'),
    sex: SEXES,
    disability: DISABILITY,
    sexualOrientation: SEXUAL_ORIENTATIONS,
    religion: RELIGIONS,
    ageBand: AGE_BANDS,
  };

  it('offers exactly the answers the identity library stores, each question with "Prefer not to say"', () => {
    expect(EQUALITY_QUESTIONS.map((q) => q.name).sort()).toEqual(Object.keys(allowed).sort());
    for (const question of EQUALITY_QUESTIONS) {
      expect(question.options.map(([value]) => value).sort()).toEqual([...allowed[question.name]!].sort());
      expect(question.options.at(-1)).toEqual(['prefer_not_to_say', 'Prefer not to say']);
    }
  });

  it('labels every answer differently within a question', () => {
    for (const question of EQUALITY_QUESTIONS) expect(new Set(question.options.map(([, text]) => text)).size).toBe(question.options.length);
  });
});
