// Jest reporter that ends the run with one plain line, "N passed, N failed",
// which CI reads as the test count (jest's own summary has another shape).
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests
    const failedSuites = results.numRuntimeErrorTestSuites
    const failed = results.numFailedTests + failedSuites
    process.stdout.write(
      `\njest: ${results.numPassedTests} passed, ${failed} failed` +
        (skipped > 0 ? `, ${skipped} skipped` : '') +
        '\n'
    )
  }
}
