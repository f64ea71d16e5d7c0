// Local HTTP servers for the tests, on 127.0.0.1 and an ephemeral port: a static file
// server for the pages, and usage bodies shaped like BEC's answers.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** Starts `handler` on 127.0.0.1:<free port>; resolves to `{ server, origin, close() }`. */
export async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Serves the files under `root`; `/v1/usage/computing` answers like BEC behind a signing
 * proxy (a usage body for the queried dates), so pages can use `UsageClient` on their origin.
 * `requests` collects every path asked for.
 */
export async function staticServer(root) {
  const requests = [];
  const base = normalize(root + sep);
  const listening = await listen(async (request, response) => {
    const url = new URL(request.url, "http://localhost");
    requests.push(url.pathname + url.search);
    if (url.pathname === "/v1/usage/computing") {
      const body = usageBody(url.searchParams.get("beginDate"), url.searchParams.get("endDate"));
      response.writeHead(200, { "content-type": "application/json;charset=UTF-8" });
      response.end(body);
      return;
    }
    const file = normalize(join(root, decodeURIComponent(url.pathname)));
    const path = file.endsWith(sep) ? join(file, "index.html") : file;
    try {
      if (!path.startsWith(base)) throw new Error("outside the root");
      const target = (await stat(path)).isDirectory() ? join(path, "index.html") : path;
      const bytes = await readFile(target);
      response.writeHead(200, { "content-type": CONTENT_TYPES[extname(target)] ?? "application/octet-stream" });
      response.end(bytes);
    } catch {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found");
    }
  });
  return { ...listening, requests };
}

const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3_600_000;

/** The days `beginDate ..= endDate` (`YYYY-MM-DD`). */
export function daysOf(beginDate, endDate) {
  const days = [];
  for (let t = Date.parse(`${beginDate}T00:00:00Z`); t <= Date.parse(`${endDate}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * A usage body for `beginDate ..= endDate` as BEC writes it: per day one CPU point of
 * `0.1` cores at Beijing noon (amounts as JSON number text, so sums test exactness), one
 * EIP point of `2`, and the day in `summary`.
 */
export function usageBody(beginDate, endDate, accountId = "test-account") {
  const days = daysOf(beginDate, endDate);
  const noon = (day) => Date.parse(`${day}T12:00:00Z`) - BEIJING_MS;
  const cpu = days.map((day) => `{"amount":0.1,"timestamp":${noon(day)}}`).join(",");
  const eip = days.map((day) => `{"amount":2,"timestamp":${noon(day)}}`).join(",");
  const summary = days.map((day) => `"${day}":{"CPU":0.1,"EIP":2}`).join(",");
  return (
    `{"accountId":${JSON.stringify(accountId)},"timeSpan":{"beginDate":"${beginDate}","endDate":"${endDate}"},` +
    `"graphData":{"CPU":{"count":${days.length},"unit":"核","dataList":[${cpu}]},` +
    `"EIP":{"count":${days.length},"unit":"个","dataList":[${eip}]}},"summary":{${summary}}}`
  );
}
