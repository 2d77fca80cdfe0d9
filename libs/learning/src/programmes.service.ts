import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { System } from '@slp/directory';
import { Grade, Person, StaffGroup } from '@slp/identity';
import { AccessScope, AuditService, findPage, ForbiddenError, InvalidInputError, NotFoundError, Page, PageRequest } from '@slp/platform';
import { gradeRank, isAfcBand } from './eligibility';
import { ProgrammeAccess } from './programme-access';
import { LeadershipLevel, Programme } from './programme.entity';

export interface CreateProgrammeInput {
  readonly title: string;
  readonly description?: string;
  readonly level: LeadershipLevel;
  readonly systemId: string | null;
  readonly eligibility?: { readonly staffGroups?: StaffGroup[]; readonly minGrade?: Grade | null; readonly maxGrade?: Grade | null; readonly grades?: Grade[] };
  readonly fundingPence?: number | null;
}

@Injectable()
export class ProgrammesService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  /** Staff see their systems' programmes and national ones; participants those open to their system. */
  async list(scope: AccessScope, filter: { systemId?: string; level?: LeadershipLevel }, page: PageRequest): Promise<Page<Programme>> {
    const where: FilterQuery<Programme> = { $and: [await this.visibleWhere(scope)] };
    if (filter.systemId) where.$and!.push({ system: filter.systemId });
    if (filter.level) where.$and!.push({ level: filter.level });
    return findPage(this.em, Programme, where, { title: 'asc', id: 'asc' }, page);
  }

  async get(scope: AccessScope, id: string): Promise<Programme> {
    const programme = await this.em.findOne(Programme, { $and: [{ id }, await this.visibleWhere(scope)] });
    if (!programme) throw NotFoundError.of('programme', id);
    return programme;
  }

  async create(scope: AccessScope, input: CreateProgrammeInput): Promise<Programme> {
    if (!ProgrammeAccess.canManage(scope, input.systemId)) {
      throw new ForbiddenError(input.systemId === null ? 'Only a national admin can create a national programme.' : 'You can only create programmes for systems you lead or administer.');
    }
    const { minGrade, maxGrade, staffGroups = [], grades = [] } = input.eligibility ?? {};
    checkGradeRange(minGrade, maxGrade);
    return this.em.transactional(async (em) => {
      const system = input.systemId ? await em.findOne(System, { id: input.systemId }) : null;
      if (input.systemId && !system) throw new InvalidInputError(`There is no system ${input.systemId}.`, [{ field: 'systemId', message: 'systemId must be an existing system' }]);
      const programme = em.create(Programme, {
        title: input.title,
        description: input.description ?? '',
        level: input.level,
        system,
        eligibleStaffGroups: [...new Set(staffGroups)],
        minGrade: minGrade ?? null,
        maxGrade: maxGrade ?? null,
        eligibleGrades: [...new Set(grades)],
        fundingPence: input.fundingPence ?? null,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'programme.create', objectType: 'programme', objectId: programme.id, details: { systemId: input.systemId } });
      return programme;
    });
  }

  /** Changes a programme; its owning system stays. */
  async update(scope: AccessScope, id: string, input: Partial<Omit<CreateProgrammeInput, 'systemId'>>): Promise<Programme> {
    const programme = await this.get(scope, id);
    if (!ProgrammeAccess.canManage(scope, programme.system?.id ?? null)) throw new ForbiddenError('You cannot change this programme.');
    return this.em.transactional(async (em) => {
      const current = await em.findOneOrFail(Programme, { id }, { refresh: true });
      const { eligibility, ...fields } = input;
      em.assign(current, Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
      if (eligibility) {
        if (eligibility.staffGroups !== undefined) current.eligibleStaffGroups = [...new Set(eligibility.staffGroups)];
        if (eligibility.minGrade !== undefined) current.minGrade = eligibility.minGrade;
        if (eligibility.maxGrade !== undefined) current.maxGrade = eligibility.maxGrade;
        if (eligibility.grades !== undefined) current.eligibleGrades = [...new Set(eligibility.grades)];
      }
      checkGradeRange(current.minGrade, current.maxGrade);
      const changed = Object.keys(input).filter((key) => input[key as keyof typeof input] !== undefined);
      if (changed.length) this.audit.record(em, { actorAccountId: scope.accountId, action: 'programme.update', objectType: 'programme', objectId: id, details: { fields: changed } });
      return current;
    });
  }

  private async visibleWhere(scope: AccessScope): Promise<FilterQuery<Programme>> {
    if (scope.isNationalAdmin) return {};
    const staffSystems = scope.staffSystems as readonly string[];
    const person = await this.em.findOne(Person, { id: scope.personId }, { populate: ['organisation'] });
    const ownSystem = person?.organisation?.system.id;
    const systems = [...new Set([...staffSystems, ...(ownSystem ? [ownSystem] : [])])];
    return { $or: [{ system: null }, { system: { $in: systems } }] };
  }
}

/** A grade range is of Agenda for Change bands, lowest first; other grades are listed instead. */
function checkGradeRange(minGrade: Grade | null | undefined, maxGrade: Grade | null | undefined): void {
  for (const [field, grade] of [['minGrade', minGrade], ['maxGrade', maxGrade]] as const) {
    if (grade && !isAfcBand(grade)) {
      throw new InvalidInputError(`A grade range is of Agenda for Change bands; list ${grade} in eligibility.grades instead.`, [{ field: `eligibility.${field}`, message: `${field} must be an Agenda for Change band (band_1 to band_9)` }]);
    }
  }
  if (minGrade && maxGrade && gradeRank(minGrade) > gradeRank(maxGrade)) {
    throw new InvalidInputError('The grade range is empty.', [{ field: 'eligibility.maxGrade', message: 'maxGrade must not be below minGrade' }]);
  }
}
