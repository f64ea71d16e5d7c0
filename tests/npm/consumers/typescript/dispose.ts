// `using` on the package's Usage: type-checked (tsc --noEmit) with Node's resolution
// (node16), a bundler's, and the old node10 one; Usage must declare [Symbol.dispose]().
import { parseUsage } from "bec-usage";

export function resourceCount(text: string): number {
  using usage = parseUsage(text);
  const names: string[] = usage.resourceNames;
  return names.length;
}
