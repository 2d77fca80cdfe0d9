import { NotificationPreferencesService } from '@slp/notifications';
import { account, forkEm } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

describe('one-click unsubscribe from reminders (e2e)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const remindersOf = async (personId: string) => {
    const [row] = await forkEm(api).getConnection().execute<{ reminders_enabled: boolean }[]>('select reminders_enabled from notification_preference where person_id = ?', [personId]);
    return row?.reminders_enabled ?? true;
  };

  it('shows a confirmation page when the link is opened, and changes nothing (RFC 8058: GET is not consent)', async () => {
    const person = (await account(forkEm(api))).person;
    const token = api.app.get(NotificationPreferencesService).unsubscribeToken(person.id);

    const response = await api.http().get(`/api/v1/notification-preferences/unsubscribe?token=${encodeURIComponent(token)}`).expect(200);

    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('<form method="post"');
    expect(await remindersOf(person.id)).toBe(true);
  });

  it('switches reminders off on the mail client’s one-click POST (List-Unsubscribe=One-Click, form-encoded)', async () => {
    const person = (await account(forkEm(api))).person;
    const token = api.app.get(NotificationPreferencesService).unsubscribeToken(person.id);

    await api.http().post(`/api/v1/notification-preferences/unsubscribe?token=${encodeURIComponent(token)}`).type('form').send('List-Unsubscribe=One-Click').expect(204);

    expect(await remindersOf(person.id)).toBe(false);
  });

  it('answers the confirmation page’s button with a page saying it is done', async () => {
    const person = (await account(forkEm(api))).person;
    const token = api.app.get(NotificationPreferencesService).unsubscribeToken(person.id);

    const response = await api.http().post(`/api/v1/notification-preferences/unsubscribe?token=${encodeURIComponent(token)}`).set('Accept', 'text/html').type('form').send('').expect(200);

    expect(response.text).toContain('Session reminders stopped');
    expect(await remindersOf(person.id)).toBe(false);
  });

  it('refuses a token that was not signed by the platform, changing nothing', async () => {
    const person = (await account(forkEm(api))).person;

    const response = await api.http().post(`/api/v1/notification-preferences/unsubscribe?token=${person.id}.forged`).type('form').send('List-Unsubscribe=One-Click');

    expect(response.status).toBe(400);
    expect(await remindersOf(person.id)).toBe(true);
  });
});
