// The reference values the tests assert, from the specification (/work/shared/api/README.md
// in the project's notes; the core's fixtures in crates/bec-usage/tests/fixtures/).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES } from "./package.mjs";

/** The reference page's example response, made valid JSON. */
export const DOC_EXAMPLE_JSON = readFileSync(join(FIXTURES, "responses", "doc-example.json"), "utf8");

/**
 * The worked example of Baidu's BCE authentication documentation (a BOS upload part), as
 * `signRequest` options. `host` and `x-bce-date` are added by `signRequest` itself.
 */
export const WORKED_EXAMPLE = {
  accessKeyId: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  secretAccessKey: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
  method: "PUT",
  host: "bj.bcebos.com",
  path: "/v1/test/myfolder/readme.txt",
  query: { partNumber: "9", uploadId: "a44cc9bab11cbd156984767aad637851" },
  headers: {
    Date: "Mon, 27 Apr 2015 16:23:49 +0800",
    "Content-Type": "text/plain",
    "Content-Length": "8",
    "Content-Md5": "NFzcPqhviddjRNnSOGo4rw==",
  },
  timestamp: "2015-04-27T08:23:49Z",
  expirationSeconds: 1800,
};

/** The documented signature of the worked example, signing the default header set. */
export const WORKED_EXAMPLE_AUTHORIZATION =
  "bce-auth-v1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/2015-04-27T08:23:49Z/1800/" +
  "content-length;content-md5;content-type;host;x-bce-date/" +
  "d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e";

/** The documented signature when only `host` and `x-bce-date` are signed. */
export const WORKED_EXAMPLE_HOST_DATE_SIGNATURE = "1b8de5a23a56eef657c69f94c621e7acd227d049a4ba577f537d5e5cebf0cf32";

/** The canonical request of the worked example (default header set). */
export const WORKED_EXAMPLE_CANONICAL_REQUEST = readFileSync(
  join(FIXTURES, "signing", "bos-doc-example-default-headers", "canonical-request.txt"),
  "utf8",
).replace(/\n$/, "");
