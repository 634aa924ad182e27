/**
 * The 39 prompts of the Social Work Task Force workload health check, under their five headings
 * (short paraphrased texts, not the official wording; docs/health-check.md). Reference data shared
 * by the health-check template (loaders/) and the health check itself (pipelines/).
 */

/** The five headings of the health check, in order, with the prompts each covers. */
export const HEADINGS = [
  { heading: "Effective workload management", first: 1, last: 10 },
  { heading: "Proactive workflow management", first: 11, last: 20 },
  { heading: "The right tools to do the job", first: 21, last: 24 },
  { heading: "A healthy workplace", first: 25, last: 34 },
  { heading: "Effective service delivery", first: 35, last: 39 },
] as const;

/** One prompt of the health check. */
export interface Prompt {
  number: number;
  heading: string;
  /** Short description (paraphrased, not the official wording). */
  text: string;
}

const PROMPT_TEXTS: readonly string[] = [
  // Effective workload management (1-10)
  "Unfilled posts in the team (vacancies)",
  "Posts covered by agency or temporary staff",
  "Staff on long-term sickness absence or maternity leave",
  "Staff turnover over the last 12 months",
  "Cases per full-time practitioner, against the agreed caseload level",
  "A workload system weights cases for complexity and is used to allocate work",
  "Time off in lieu (TOIL) accrued and not yet taken",
  "Supervision taking place as planned over the last 12 months",
  "Newly qualified social workers (ASYE) have protected caseloads",
  "Time for continuing professional development is built into workloads",
  // Proactive workflow management (11-20)
  "Unallocated cases, now and over the last 12 months",
  "Re-referrals within 12 months of a previous referral",
  "Peaks and troughs in referrals through the year are known and planned for",
  "Assessments completed within timescales",
  "Cases reviewed, stepped down, transferred or closed without delay",
  "How the team's cases are allocated across its members",
  "Duty and intake arrangements manage incoming demand",
  "Work waiting for allocation is prioritised and overseen by risk",
  "A route to escalate when demand exceeds capacity, and it is used",
  "Workforce planning anticipates changes in demand",
  // The right tools to do the job (21-24)
  "IT and case recording systems are fit for purpose",
  "Equipment for mobile and remote working",
  "Administrative and business support for practitioners",
  "Access to specialist advice and resources (legal, health, interpreting)",
  // A healthy workplace (25-34)
  "Team morale",
  "Quality of reflective supervision",
  "Managers are visible and accessible",
  "Staff feel safe at work (lone working, violence and aggression)",
  "Access to learning and development",
  "Staff regularly working beyond their contracted hours",
  "Annual leave is taken",
  "Wellbeing support and stress risk assessments",
  "Office accommodation and space to work",
  "Sickness absence and its pattern over time",
  // Effective service delivery (35-39)
  "Statutory visits made on time",
  "Plans (child protection, care, pathway) reviewed within timescales",
  "Quality of practice, as audits find it",
  "Feedback from children, young people and families",
  "Working relationships with partner agencies",
];

/** The 39 prompts with their headings (short paraphrased texts; see docs/health-check.md). */
export const PROMPTS: readonly Prompt[] = PROMPT_TEXTS.map((text, i) => ({
  number: i + 1,
  heading: HEADINGS.find((h) => i + 1 >= h.first && i + 1 <= h.last)!.heading,
  text,
}));

/** The prompt with this number (1-39). */
export function prompt(n: number): Prompt {
  const p = PROMPTS[n - 1];
  if (!p) throw new RangeError(`health-check prompt ${n} does not exist (1-39)`);
  return p;
}

