/**
 * Ends every `npm test` run with the plain line "N passed, N failed" (", N skipped" when any),
 * which CI reads. Registered in vitest.config.ts beside the default reporter.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      // a file that failed outside its tests (failed to load, or a beforeAll/afterAll threw, so
      // its tests were skipped) counts as a failure too
      if (m.state() === "failed" && ![...m.children.allTests()].some((t) => t.result().state === "failed")) failed++;
    }
    failed += errors.length;
    const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
    // after the default reporter's own summary: the very last line of the run (stdout to a
    // pipe or file is synchronous on Linux, so an exit handler may write)
    process.once("exit", () => process.stdout.write(`\n${line}\n`));
  }
}
