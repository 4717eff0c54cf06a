import { json, type Router } from "../http.js";
import { notFound, SimHttpError, DOCS_URL } from "../http-error.js";

/** A person's place in a team: an active member, or invited and not accepted yet. */
export type TeamMembershipState = "active" | "pending";

/** Organization teams and their members (`org/slug` -> login -> state), as the sim's people set them up. */
export class SimTeams {
  private readonly members = new Map<string, Map<string, TeamMembershipState>>();
  /** The App's installation has the organization permission members: read (false: GitHub answers 403). */
  readable = true;

  add(team: string, login: string, state: TeamMembershipState = "active"): void {
    const key = team.toLowerCase();
    const list = this.members.get(key) ?? new Map<string, TeamMembershipState>();
    list.set(login.toLowerCase(), state);
    this.members.set(key, list);
  }

  state(team: string, login: string): TeamMembershipState | undefined {
    return this.members.get(team.toLowerCase())?.get(login.toLowerCase());
  }
}

/** GET /orgs/{org}/teams/{team_slug}/memberships/{username}: 404 for a team without this person (or no such team). */
export function registerOrgRoutes(router: Router, teams: SimTeams, apiUrl: () => string): void {
  router.add("GET", "/orgs/:org/teams/:team_slug/memberships/:username", (req) => {
    const { org = "", team_slug: slug = "", username = "" } = req.params;
    if (!teams.readable)
      throw new SimHttpError(403, {
        message: "Resource not accessible by integration",
        documentation_url: `${DOCS_URL}/teams/members#get-team-membership-for-a-user`,
      });
    const state = teams.state(`${org}/${slug}`, username);
    if (!state) throw notFound();
    return json(200, {
      url: `${apiUrl()}/organizations/${org}/team/${slug}/memberships/${username}`,
      role: "member",
      state,
    });
  });
}
