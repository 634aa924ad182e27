/**
 * Roles and posts: the posts a team of a given size has, the role a post-holder reports, and
 * how each role's caseload, case mix and non-case work compare with a Social Worker's.
 */
import type { Role } from "./types.ts";

/** Class of a post: Team Manager, Advanced or Senior Practitioner, Social Worker (or ASYE), Social Work Assistant. */
export type RoleClass = "TM" | "AP" | "SP" | "SW" | "SWA";

/** Caseload of each role relative to a Social Worker's. */
export const ROLE_CASELOAD: Record<Role, number> = {
  ASYE: 0.7, "Social Worker": 1.0, "Senior Practitioner": 1.0, "Advanced Practitioner": 0.55, "Team Manager": 0.06, "Social Work Assistant": 0.35,
};
/** Expected points per case of each role relative to the service mean. */
export const ROLE_COMPLEXITY: Record<Role, number> = {
  ASYE: 0.8, "Social Worker": 1.0, "Senior Practitioner": 1.2, "Advanced Practitioner": 1.3, "Team Manager": 1.2, "Social Work Assistant": 0.6,
};
/** Non-case points of each role, in units of the service's mean points per case. */
export const ROLE_NON_CASE_UNITS: Record<Role, number> = {
  ASYE: 1.0, "Social Worker": 1.5, "Senior Practitioner": 2.0, "Advanced Practitioner": 4.0, "Team Manager": 6.0, "Social Work Assistant": 1.0,
};

export function isSenior(rc: RoleClass): boolean {
  return rc === "TM" || rc === "AP" || rc === "SP";
}

/** Role classes of the posts of a team of `size` posts: one Team Manager, then assistants, APs, SPs, social workers. */
export function teamPostRoles(size: number): RoleClass[] {
  const swa = size >= 16 ? 2 : size >= 7 ? 1 : 0;
  const ap = size >= 20 ? 2 : size >= 9 ? 1 : 0;
  const sp = size >= 4 ? Math.max(1, Math.round(0.17 * size)) : 0;
  const roles: RoleClass[] = ["TM"];
  for (let i = 0; i < ap; i++) roles.push("AP");
  for (let i = 0; i < sp; i++) roles.push("SP");
  for (let i = 0; i < swa; i++) roles.push("SWA");
  while (roles.length < size) roles.push("SW");
  return roles.slice(0, Math.max(size, 1));
}

/** The role of the holder of a post of class `rc` who has done `asyeMonths` months of their ASYE year. */
export function roleOf(rc: RoleClass, asyeMonths: number): Role {
  switch (rc) {
    case "TM": return "Team Manager";
    case "AP": return "Advanced Practitioner";
    case "SP": return "Senior Practitioner";
    case "SWA": return "Social Work Assistant";
    default: return asyeMonths < 12 ? "ASYE" : "Social Worker";
  }
}
