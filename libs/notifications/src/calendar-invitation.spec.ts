import { calendarInvitation, InvitationEvent, uncachedInvitationText } from './calendar-invitation';

const session = (overrides: Partial<InvitationEvent> = {}): InvitationEvent => ({
  uid: 'session-3f1c2a4e-8d7b-4c1e-9a55-0b6f2d9e7c10@system-leadership-platform',
  sequence: 2,
  start: new Date('2026-07-03T09:30:00Z'),
  end: new Date('2026-07-03T12:30:00Z'),
  summary: 'Leading across boundaries: working with Places and partners (System Leadership Programme)',
  description: 'System Leadership Programme, Cohort 3\nJoin online: https://meet.example.nhs.uk/abc',
  location: 'Lancashire Teaching Hospitals, Education Centre, Room 4',
  url: 'https://meet.example.nhs.uk/abc',
  cancelled: false,
  calendarName: 'System Leadership Programme: Cohort 3',
  organiserEmail: 'noreply@leadership.example.nhs.uk',
  ...overrides,
});

const attendees = [
  { name: 'Ada Ng', email: 'ada.ng@example.nhs.uk' },
  { name: 'Dr Siobhán Ó Súilleabháin, Consultant in Acute Medicine; Clinical Lead', email: 'siobhan.osuilleabhain@lancashire-teaching-hospitals.example.nhs.uk' },
  { name: 'Owen "Ozzy" Price', email: 'owen.price@example.nhs.uk' },
  { name: '=HYPERLINK("x")', email: 'x@example.org' },
  { name: '王秀英 (Xiuying Wang), Advanced Clinical Practitioner and Neighbourhood Health lead', email: 'xiuying.wang@example.nhs.uk' },
];

describe('calendarInvitation', () => {
  const now = new Date('2026-11-23T21:15:42.123Z');

  it('writes, from its per-session cache, exactly what the library writes whole, for every attendee', () => {
    for (const event of [session(), session({ cancelled: true, sequence: 3 }), session({ location: null, url: null, description: 'No link' })]) {
      for (const attendee of attendees) {
        const cached = calendarInvitation({ ...event, attendee }, now);
        expect(cached.content).toBe(uncachedInvitationText({ ...event, attendee }, now));
        expect(cached.method).toBe(event.cancelled ? 'CANCEL' : 'REQUEST');
      }
      expect(calendarInvitation(event, now).content).toBe(uncachedInvitationText(event, now));
    }
  });

  it('gives each email its own attendee and DTSTAMP, and each session version its own text', () => {
    const unfold = (text: string) => text.replace(/\r\n /g, '');
    const first = unfold(calendarInvitation({ ...session(), attendee: attendees[0] }, now).content);
    const second = unfold(calendarInvitation({ ...session(), attendee: attendees[2] }, new Date('2026-11-24T08:00:00Z')).content);

    expect(first).toContain('CN="Ada Ng":MAILTO:ada.ng@example.nhs.uk\r\n');
    expect(first).not.toContain('placeholder');
    expect(first).toMatch(/\r\nDTSTAMP:20261123T211542Z\r\n/);
    expect(second).toMatch(/\r\nDTSTAMP:20261124T080000Z\r\n/);
    expect(second).not.toContain('ada.ng@');
    const moved = unfold(calendarInvitation({ ...session({ sequence: 4, start: new Date('2026-07-10T09:30:00Z'), end: new Date('2026-07-10T12:30:00Z') }), attendee: attendees[0] }, now).content);
    expect(moved).toContain('SEQUENCE:4\r\n');
    expect(moved).toContain('DTSTART;TZID=Europe/London:20260710T103000\r\n');
  });

  it('folds long lines at 75 octets and ends every line with CRLF (RFC 5545 §3.1)', () => {
    const text = calendarInvitation({ ...session(), attendee: attendees[4] }, now).content;

    expect(text.endsWith('\r\n')).toBe(true);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(text.replace(/\r\n /g, '')).toContain('CN="王秀英 (Xiuying Wang), Advanced Clinical Practitioner and Neighbourhood Health lead":MAILTO:xiuying.wang@example.nhs.uk');
  });
});
