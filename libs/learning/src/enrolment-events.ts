import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Enrolment } from './enrolment.entity';

/** Told, inside the same transaction, when an existing enrolment takes up a seat (promoted, offer accepted, approved). */
export interface EnrolmentSeatedListener {
  enrolmentSeated(em: EntityManager, enrolment: Enrolment, now: Date): Promise<void>;
}

/**
 * Lets contexts that build on learning (talent: a nomination becomes "enrolled" when its waitlisted
 * nominee gets a seat) react to enrolment changes without learning depending on them.
 */
@Injectable()
export class EnrolmentEvents {
  private readonly listeners: EnrolmentSeatedListener[] = [];

  onSeated(listener: EnrolmentSeatedListener): void {
    this.listeners.push(listener);
  }

  async seated(em: EntityManager, enrolment: Enrolment, now: Date): Promise<void> {
    for (const listener of this.listeners) await listener.enrolmentSeated(em, enrolment, now);
  }
}
