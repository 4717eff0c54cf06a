import type { HttpProbe } from "./port.js";

/** The `http` health check over the network: the body, or why there is none. */
export const fetchProbe: HttpProbe = async (url) => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return { body: await response.text() };
  } catch (err) {
    return { error: (err as Error).message };
  }
};
