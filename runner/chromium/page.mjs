// The cell in the page (page.html, served by worker.mjs): the job from the driver's server, the
// guests' bytes, then the V8 worker's own sequence (runner/v8/cell.mjs), the report as the last
// line. The first line, sent as soon as the module runs, tells the driver the page started (from
// then on everything it does ends in a report), and times the worker's start.

import { parseJob } from '/v8/job.mjs';
import { BEGIN_LINE, REPORT_PREFIX, Failure, emptyReport, reportJson } from '/v8/report.mjs';
import { runCell } from '/v8/cell.mjs';
import { preload, printLine } from './platform.mjs';

printLine(BEGIN_LINE);
const report = emptyReport();
let job = null;
try {
  const response = await fetch('/job');
  job = parseJob(await response.text());
} catch (e) {
  report.failure = ['Error', `the page cannot read its job: ${e.message}`];
}
if (job !== null) {
  await runCell(job, report, async () => {
    if (!globalThis.crossOriginIsolated) {
      throw new Failure('Error', 'the page is not cross-origin isolated (COOP/COEP), so its clock steps by 100 µs');
    }
    if (job.guests !== null) await preload(job.guests); // else setUp says there are none
  });
}
printLine(REPORT_PREFIX + reportJson(report));
