/**
 * Pseudonymous identifiers made in the workspace: the workspace's secret and the keyed hash.
 *
 * Some returns identify people by values that must never be stored: the children's social work
 * workforce census names each worker by their Social Work England (SWE) registration number, and
 * Ofsted's Annex A names each child by the case-management system's id and the allocated worker
 * by name. fairload turns each such value into a pseudonymous id with HMAC-SHA-256 keyed by a
 * secret that exists only in this workspace (`pseudonym.key`, 32 random bytes, created on first
 * use with permissions 0600, never archived, logged or shown). A plain hash would not do: SWE
 * numbers are on a public register, so anyone could hash the register and look the ids up; without
 * the key they cannot.
 *
 * The same value gives the same id in every load of the workspace (so a worker can be followed
 * from one census year to the next, and joined to Annex A through the worker key map), and
 * different values of different kinds never collide by construction (each kind has its own
 * domain in the hashed message). Keep the key with the workspace's backup: the archive holds
 * the ids already made, so `fairload rebuild` does not need it, but a new load made with another
 * key would give the same people new ids.
 */
import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "./errors.ts";

/** The secret's file name inside the workspace folder. */
export const SECRET_FILE = "pseudonym.key";

/** The kinds of value that are pseudonymised, each with its own id prefix. */
export type PseudonymKind = "swe" | "worker_source" | "child";

const PREFIX: Record<PseudonymKind, string> = { swe: "cw_", worker_source: "aw_", child: "ch_" };

/** Where a workspace keeps its secret. */
export function secretPath(workspaceDir: string): string {
  return join(workspaceDir, SECRET_FILE);
}

/**
 * The workspace's secret, created on first use (exclusive create, so two processes starting at
 * once end with one key) with permissions 0600. A key file that is not 64 hex digits is refused
 * plainly rather than replaced: replacing it would give every person a new id.
 */
export function workspaceSecret(workspaceDir: string): Buffer {
  const path = secretPath(workspaceDir);
  if (!existsSync(path)) {
    let fd: number | undefined;
    try {
      fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${randomBytes(32).toString("hex")}\n`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  // a key copied in with looser permissions is tightened (owner only)
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const text = readFileSync(path, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new UserError(`The workspace's pseudonymisation key ${path} is damaged (expected 64 hexadecimal digits). Restore it from the workspace's backup; nothing was loaded.`);
  }
  return Buffer.from(text, "hex");
}

/**
 * The canonical form of a value before it is hashed, so that trivial differences of spelling do
 * not make two ids: SWE numbers upper-cased with spaces and leading zeros of the number removed
 * (`sw 0000012345` = `SW12345`); names and system ids trimmed, lower-cased, inner spaces collapsed.
 */
export function canonicalValue(kind: PseudonymKind, value: string): string {
  const v = value.normalize("NFC").trim();
  if (kind === "swe") {
    const compact = v.replace(/\s+/g, "").toUpperCase();
    const m = /^([A-Z]{2})0*(\d+)$/.exec(compact);
    return m ? `${m[1]}${m[2]}` : compact;
  }
  return v.toLowerCase().replace(/\s+/g, " ");
}

/** A keyed-hash pseudonymiser for one workspace secret. */
export interface Pseudonymiser {
  /** The pseudonymous id of `value` of `kind`: a prefix and 20 hexadecimal digits (80 bits). */
  id(kind: PseudonymKind, value: string): string;
}

export function pseudonymiser(secret: Buffer): Pseudonymiser {
  if (secret.length < 16) throw new Error("pseudonymiser: the secret is too short");
  const cache = new Map<string, string>();
  return {
    id(kind, value) {
      const canon = canonicalValue(kind, value);
      const k = `${kind}\u0000${canon}`;
      let out = cache.get(k);
      if (!out) {
        out = PREFIX[kind] + createHmac("sha256", secret).update(`fairload/${k}`, "utf8").digest("hex").slice(0, 20);
        cache.set(k, out);
      }
      return out;
    },
  };
}

/** The pseudonymiser of a workspace (its secret created on first use). */
export function workspacePseudonymiser(workspaceDir: string): Pseudonymiser {
  return pseudonymiser(workspaceSecret(workspaceDir));
}
