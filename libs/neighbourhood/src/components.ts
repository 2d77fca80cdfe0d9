/** The six components of the 2025/26 neighbourhood health guidelines, as the API names them. */
export const COMPONENTS = [
  'population_health_management',
  'modern_general_practice',
  'community_health_services',
  'neighbourhood_mdts',
  'intermediate_care',
  'urgent_neighbourhood_services',
] as const;
export type Component = (typeof COMPONENTS)[number];

export const COMPONENT_LABELS: Readonly<Record<Component, string>> = {
  population_health_management: 'Population health management',
  modern_general_practice: 'Modern general practice',
  community_health_services: 'Standardised community health services',
  neighbourhood_mdts: 'Neighbourhood multidisciplinary teams',
  intermediate_care: 'Integrated intermediate care',
  urgent_neighbourhood_services: 'Urgent neighbourhood services',
};

/** Maturity levels 1 (emerging) to 4 (thriving). */
export const MATURITY_LEVELS = [1, 2, 3, 4] as const;
export type MaturityLevel = (typeof MATURITY_LEVELS)[number];

export const INDICATOR_UNITS = ['rate_per_1000', 'percent', 'count', 'days'] as const;
export type IndicatorUnit = (typeof INDICATOR_UNITS)[number];

export const BETTER_WHEN = ['lower', 'higher'] as const;

export const MENTORING_STATUSES = ['proposed', 'accepted', 'declined', 'closed'] as const;
export type MentoringStatus = (typeof MENTORING_STATUSES)[number];

/**
 * A month's value from its numerator and denominator: a rate per 1,000 or a percentage of the
 * denominator; counts and days are the numerator itself.
 */
export function indicatorValue(unit: IndicatorUnit, numerator: number, denominator: number | null): number {
  if (unit === 'rate_per_1000') return (numerator / denominator!) * 1000;
  if (unit === 'percent') return (numerator / denominator!) * 100;
  return numerator;
}
