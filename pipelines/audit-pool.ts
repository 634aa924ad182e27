/**
 * The audit's tests on every core: a pool of worker threads (pipelines/audit-worker.ts) and the
 * calling thread take the tests of a stage from one queue, largest first, and each result is put
 * back in its test's place. A test's result depends only on its observations and options (its
 * random streams come from the run seed and the test's identity), so the audit is the same, bit
 * for bit, whatever the number of threads (test/unit/fairness-pool.test.ts).
 *
 * Each thread is sent the run's worker-months once; a test names its observations as rows of them
 * and the group of each row (a subset, sent to a thread the first time one of its tests goes
 * there).
 *
 * The number of threads besides the calling one: FAIRLOAD_AUDIT_THREADS when set (0 = the calling
 * thread alone), else one per further core (at most {@link MAX_AUDIT_THREADS}) from
 * {@link MIN_ROWS_FOR_THREADS} worker-months in the window on. A thread costs about 1.5 s of CPU
 * on the large benchmark employer (loading tsx and the statistics' modules, its copy of the
 * worker-months, compiling the kernel again). Measured there (December 2026, 2 cores): with the
 * second core free, the audit took 10-11 s instead of 13-15 s in the calling thread alone; while
 * another session kept a core busy (Linux shares the CPU between sessions, so more threads get no
 * more of it), it gained nothing.
 *
 * @module
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { auditComparison, EncodedObs, type AuditOptions, type FairnessResult, type WorkerMonthObs } from "./stats/fairness.ts";

/** Below this many worker-months in the window, the calling thread runs the tests alone (the sample employer has about 1,700; the large benchmark employer 18,000). */
export const MIN_ROWS_FOR_THREADS = 5_000;
export const MAX_AUDIT_THREADS = 3;
/** Tests sent ahead to a thread, so that it never waits for the calling thread to finish a test of its own. */
const IN_FLIGHT = 6;

/** How many threads besides the calling one, for an audit of `rows` worker-months in its window. */
export function auditThreads(rows: number): number {
  const env = process.env.FAIRLOAD_AUDIT_THREADS;
  if (env !== undefined && env.trim() !== "") {
    const t = Number(env);
    if (Number.isInteger(t) && t >= 0) return Math.min(t, 16);
  }
  return rows >= MIN_ROWS_FOR_THREADS ? Math.max(0, Math.min(availableParallelism() - 1, MAX_AUDIT_THREADS)) : 0;
}

/** What a thread needs to run any test of the run (sent once). */
export interface PoolInit {
  obs: readonly WorkerMonthObs[];
  experienceFactors: ReadonlyMap<string, number>;
}

/** One test: its observations (a subset of the run's) and its options (experience factors added by the pool). */
export interface AuditTask {
  subset: number;
  options: Omit<AuditOptions, "experienceFactors">;
}

/** A subset as sent to a thread: rows of the run's observations, and each row's group. */
export interface SubsetSpec {
  rows: Int32Array;
  names: string[];
  group: Int32Array;
}

export type ToThread = { type: "init"; init: PoolInit } | { type: "task"; id: number; subsetId: number; subset?: SubsetSpec; options: AuditTask["options"] };
export type FromThread = { type: "ready" } | { type: "done"; id: number; result: FairnessResult } | { type: "error"; message: string; stack?: string };

/** The run's observations and their subsets, as each thread (and the calling one) holds them. */
export class SubsetStore {
  readonly all: EncodedObs;
  private readonly subsets = new Map<number, EncodedObs>();
  /** @param all - the observations' encoding, when already made */
  constructor(readonly init: PoolInit, all?: EncodedObs) {
    this.all = all ?? EncodedObs.of(init.obs);
  }
  add(id: number, spec: SubsetSpec): void {
    this.subsets.set(id, this.all.subset(spec.rows, Array.from(spec.group, (g) => spec.names[g]!)));
  }
  get(id: number): EncodedObs {
    return this.subsets.get(id)!;
  }
  run(subsetId: number, options: AuditTask["options"]): FairnessResult {
    return auditComparison(this.subsets.get(subsetId)!, { ...options, experienceFactors: this.init.experienceFactors } as AuditOptions);
  }
}

/** The pool of one run: create it early (threads load while the run reads its data), {@link AuditPool.start} it, then run stages of tests. */
export class AuditPool {
  private store: SubsetStore | null = null;
  private readonly specs: SubsetSpec[] = [];
  private readonly threads: { worker: Worker; ready: boolean; inFlight: number; known: Set<number> }[] = [];
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private onResult: ((id: number, result: FairnessResult) => void) | null = null;

  /** Tests run by each thread (the calling thread first). */
  readonly counts: number[];
  private readonly callerTakesTests: boolean;

  /**
   * @param threads - threads besides the calling one (0: the calling thread alone)
   * @param opts - callerTakesTests: whether the calling thread runs tests too (default true; with
   * no thread it always does)
   */
  constructor(threads: number, opts: { callerTakesTests?: boolean } = {}) {
    this.counts = new Array<number>(threads + 1).fill(0);
    this.callerTakesTests = threads === 0 || opts.callerTakesTests !== false;
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(new URL("./audit-worker.mjs", import.meta.url), { execArgv: [] });
      const th = { worker, ready: false, inFlight: 0, known: new Set<number>() };
      worker.on("message", (m: FromThread) => {
        if (m.type === "ready") th.ready = true;
        else if (m.type === "error") {
          const e = new Error(`audit thread: ${m.message}`);
          if (m.stack) e.stack = m.stack;
          this.fail(e);
        } else {
          th.inFlight--;
          this.counts[t + 1]++;
          this.onResult?.(m.id, m.result);
        }
        this.wake?.();
      });
      worker.on("error", (e) => this.fail(e));
      worker.on("exit", (code) => {
        if (th.inFlight > 0) this.fail(new Error(`an audit worker thread stopped (exit code ${code}) before its tests were done`));
      });
      this.threads.push(th);
    }
  }

  /** Gives the pool (and each thread) the run's observations and experience factors. */
  start(init: PoolInit, all?: EncodedObs): void {
    this.store = new SubsetStore(init, all);
    for (const th of this.threads) th.worker.postMessage({ type: "init", init } satisfies ToThread);
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    this.wake?.();
  }

  /** Registers a subset of the run's observations (rows, in order, each in the group given); returns its id. */
  subset(rows: Int32Array, groups: readonly string[]): number {
    const names: string[] = [];
    const index = new Map<string, number>();
    const group = new Int32Array(groups.length);
    groups.forEach((g, i) => {
      let k = index.get(g);
      if (k === undefined) {
        k = names.length;
        index.set(g, k);
        names.push(g);
      }
      group[i] = k;
    });
    const spec = { rows, names, group };
    this.specs.push(spec);
    this.store!.add(this.specs.length - 1, spec);
    return this.specs.length - 1;
  }

  /** The observations of a registered subset, as the calling thread holds them. */
  observations(id: number): EncodedObs {
    return this.store!.get(id);
  }

  /**
   * Runs the tests, largest (by `cost`) first, in the threads and the calling thread; returns the
   * results in the order of the tests.
   */
  async run(tasks: readonly (AuditTask & { cost: number })[], onDone?: () => void): Promise<FairnessResult[]> {
    const results: (FairnessResult | undefined)[] = tasks.map(() => undefined);
    const order = tasks.map((_, i) => i).sort((a, b) => tasks[b]!.cost - tasks[a]!.cost || a - b);
    let next = 0;
    let pending = tasks.length;
    this.onResult = (id, result) => {
      results[id] = result;
      pending--;
      onDone?.();
    };
    const feed = () => {
      for (const th of this.threads) {
        while (th.ready && th.inFlight < IN_FLIGHT && next < order.length) {
          const id = order[next++]!;
          const task = tasks[id]!;
          const msg: ToThread = { type: "task", id, subsetId: task.subset, options: task.options };
          if (!th.known.has(task.subset)) {
            msg.subset = this.specs[task.subset];
            th.known.add(task.subset);
          }
          th.inFlight++;
          th.worker.postMessage(msg);
        }
      }
    };
    try {
      while (pending > 0) {
        if (this.failure) throw this.failure;
        feed();
        if (next < order.length && this.callerTakesTests) {
          // the calling thread takes the next test itself, then lets the threads' messages in
          const id = order[next++]!;
          results[id] = this.store!.run(tasks[id]!.subset, tasks[id]!.options);
          this.counts[0]++;
          pending--;
          onDone?.();
          await new Promise<void>((resolve) => setImmediate(resolve));
        } else {
          // every test is under way: wait for the threads
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          this.wake = null;
        }
      }
      if (this.failure) throw this.failure;
    } finally {
      this.onResult = null;
    }
    return results as FairnessResult[];
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
