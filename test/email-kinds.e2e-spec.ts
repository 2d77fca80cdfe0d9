import { IDENTITY_NOTIFICATION_KINDS } from '@slp/identity';
import { LEARNING_NOTIFICATION_KINDS } from '@slp/learning';
import { DIGEST_KINDS, REMINDER_KINDS, TemplateRenderer } from '@slp/notifications';
import { NEIGHBOURHOOD_NOTIFICATION_KINDS } from '@slp/neighbourhood';
import { TALENT_NOTIFICATION_KINDS } from '@slp/talent';
import { EMAIL_KINDS } from '../apps/worker/src/worker.module';
import { EMAIL_EXAMPLES } from '../libs/notifications/src/email-examples';

describe('email kinds (contract between the libraries that write the outbox and the templates)', () => {
  const declared = [...IDENTITY_NOTIFICATION_KINDS, ...LEARNING_NOTIFICATION_KINDS, ...TALENT_NOTIFICATION_KINDS, ...NEIGHBOURHOOD_NOTIFICATION_KINDS, ...REMINDER_KINDS, ...DIGEST_KINDS].sort();

  it('checks, at worker start-up, every kind that identity, learning, talent, neighbourhood health, reminders and the digest write', () => {
    expect([...EMAIL_KINDS].sort()).toEqual(declared);
  });

  it('has templates and an example email for exactly those kinds, and renders each', () => {
    const renderer = TemplateRenderer.fromDirectory();

    expect(renderer.kinds()).toEqual(declared);
    expect(Object.keys(EMAIL_EXAMPLES).sort()).toEqual(declared);
    for (const kind of declared) {
      const email = renderer.render(kind, EMAIL_EXAMPLES[kind as keyof typeof EMAIL_EXAMPLES] as Record<string, unknown>);
      expect(email.subject.length).toBeGreaterThan(0);
      expect(email.text.length).toBeGreaterThan(0);
    }
  });
});
