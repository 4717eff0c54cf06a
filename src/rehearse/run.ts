import { z } from "zod";
import { parseCommand } from "../chatops/index.js";
import { parseIssueBody } from "../spec/issue.js";
import { decodeState, scheduleOf, stepDone, type HiddenState } from "../engine/index.js";
import { stepControls, TEAM_PATTERN } from "../spec/config.js";
import { DASHBOARD_MARKER, replyMarker, stepOfRollback } from "../spec/markers.js";
import { checkTree } from "../invariant/index.js";
import { GUARD_NAME } from "../guard/index.js";
import { COMMITTER } from "../github/index.js";
import { formatElapsed } from "../health/index.js";
import type { Plan, PlannedStep } from "../plan/index.js";
import { danglingRefs, findingResourceClashes, PLACEHOLDER, resourceName, type FileMap } from "../repo/index.js";
import { finish } from "../spec/work.js";
import { seededRandom, type GitHubSim, type MergeMethod, type SimPullRequest } from "../sim/index.js";
import picomatch from "picomatch";
import { statusGlob } from "../spec/config.js";
import { DEPLOY_DELAY_MS, derivedSystems, postingsFor, type DeploySystem, type Posting } from "./deploy.js";
import type { Violation } from "../spec/violation.js";
import { loadRepo } from "../repo/index.js";
import { nextOpening, openAt, type ChangeWindow, type DateFreeze } from "../schedule/index.js";
import { ShownRecorder } from "./shown.js";
import { BOT, type ReplicaSetup, SimulatedClock, startWorld, type Transport, type World } from "./world.js";
import { PermissionSchema } from "../spec/github.js";

export const scriptedComment = z.strictObject({
  after: z.string().min(1),
  event: z.enum(["opened", "merged", "gate_passed"]),
  delay: z.number().min(0).default(0),
  user: z.string().min(1),
  permission: PermissionSchema,
  /** Organization teams (`ORG/TEAM-SLUG`) the user is an active member of (`commands.approvers`). */
  teams: z.array(z.string().regex(TEAM_PATTERN, { message: "expected a team as ORG/TEAM-SLUG" })).optional(),
  body: z.string().min(1),
});
export type ScriptedComment = z.infer<typeof scriptedComment>;

/** The simulated repo's GitHub settings (DESIGN section 7: --merge, --no-drafts, --reviews, --no-labels). */
export interface RehearsalRepo {
  /** The only merge method the repo allows (default merge). */
  merge?: MergeMethod;
  /** Draft PRs are refused, as on some plans. */
  noDrafts?: boolean;
  /** Approving reviews required before a merge (the simulated operator and reviewers approve). */
  reviews?: number;
  /** The repo starts without any label, so the issue form's label is not applied. */
  noLabels?: boolean;
  /** The repo does not allow auto-merge (allow_auto_merge false): steps handover.yml marks for it wait for a person. */
  noAutoMerge?: boolean;
  /**
   * Branch protection requires branches to be up to date before merging; the operator presses "Update branch" when
   * GitHub refuses a merge for it (not in a rebase-only repo, where it would make the PR unmergeable).
   */
  upToDate?: boolean;
  /**
   * Branch protection requires a merge queue, and `handover/guard` as a required check: the operator queues each PR
   * ("Merge when ready"), and it lands once the guard passed on its merge group.
   */
  mergeQueue?: boolean;
}

export interface RehearsalOptions {
  files: Map<string, string>;
  repo?: RehearsalRepo;
  issueBody: string;
  plan: Plan;
  failHealth?: string;
  chaosSeed?: number;
  replicas: number;
  commands: ScriptedComment[];
  /** Called with each timeline line as it happens. */
  onEvent?: (at: number, line: string) => void;
  /** Called with the simulator once it is up, before anything happens (tests: watching every answer). */
  onSim?: (sim: GitHubSim) => void;
  /** What the simulated deploy systems post (default: what the config's health entries name). */
  deploy?: DeploySystem[];
  /** What else happens at a step's moment (tests: people pushing to a branch, the default branch moving). */
  onStep?: (event: ScriptedComment["event"], step: PlannedStep, sim: GitHubSim) => void;
  /** Called once the simulator and the App replicas run (the bench instruments them). */
  onWorld?: (world: World) => void;
  /** Where the simulated clock starts (epoch ms; default REHEARSAL_START): windows and freezes read it. */
  start?: number;
  /** Receives what GitHub would show at the end (`rehearse --out`): files by relative path. */
  onShown?: (files: Map<string, string>) => void;
  /** What each App replica gets besides the defaults (tests: a Redis-shared request budget and lease). */
  replica?: (index: number) => ReplicaSetup;
  /** How the App's requests reach the simulator (world.ts; default over loopback HTTP). */
  transport?: Transport;
}

export interface StepReport {
  id: string;
  pr: number | null;
  state: "open" | "merged" | "closed" | null;
  opened_at: number | null;
  merged_at: number | null;
  gate_passed_at: number | null;
}

export interface RehearsalReport {
  completed: boolean;
  stopped_at: string | null;
  final_label: string | null;
  steps: StepReport[];
  comments: { user: string; body: string; accepted: boolean; reaction: string | null; reply: string | null }[];
  violations: { commit: string; violations: Violation[] }[];
  duplicate_prs: number;
  /** The deploy systems simulated, what they posted, and why a gate that never passed kept waiting. */
  deploy: {
    systems: DeploySystem[];
    posted: string[];
    waiting: string[];
    /** `kustomize build`-style check of the final default branch: kustomization entries naming a missing file. */
    build_errors: string[];
  };
  api: { requests: number; writes: number };
  simulated_seconds: number;
}

/** Where the simulated clock starts unless told otherwise (a Thursday, 00:00 UTC). */
export const REHEARSAL_START = Date.parse("2026-01-01T00:00:00Z");
const OPERATOR = "operator";
/** The label the issue form asks for (.github/ISSUE_TEMPLATE). */
const FORM_LABEL = "handover";
const REVIEW_DELAY = 5 * 60_000;
/** How many times the simulated operator comes back to a PR that cannot merge yet (every REVIEW_DELAY: an hour). */
const MERGE_ATTEMPTS = 12;
const TICK = 60_000;
/** Outside the change windows nothing opens: a gate passing meanwhile is recorded with its real pass time anyway. */
const QUIET_TICK = 60 * 60_000;
const LIMIT = 7 * 24 * 3600_000;
const CHAOS_UNTIL = 6 * 3600_000;

interface Agenda {
  at: number;
  run: () => Promise<void> | void;
}

class Rehearsal {
  /** The dashboard body last decoded, and its state. */
  private decoded: { body: string; hidden: HiddenState | undefined } | undefined;
  private readonly start: number;
  private readonly clock: SimulatedClock;
  /** handover.yml's windows and date freezes: outside them nothing opens, so the clock may move in bigger ticks. */
  private readonly windows: ChangeWindow[];
  private readonly freezes: DateFreeze[];
  private closedMs = 0;
  /** Steps handover.yml holds for `/handover approve`: only a scripted comment can approve them. */
  private readonly needsApproval: Set<string>;
  /** Steps whose PR gets GitHub's auto-merge: the simulated operator leaves them to it. */
  private readonly autoMerged: Set<string>;
  private readonly agenda: Agenda[] = [];
  /** When each PR was first seen open and merged (by PR number: a step may have several after a rollback). */
  private readonly seenPrs = new Map<number, { opened?: number; merged?: number; closed?: boolean }>();
  /** The steps whose gate was seen passed. */
  private readonly gates = new Set<string>();
  private readonly reportedNoDiff = new Set<string>();
  private readonly failing = new Set<string>();
  private readonly scripted: { spec: ScriptedComment; id?: number }[];
  private world!: World;
  private issue = 0;
  private decommissionAsked = false;
  private readonly shown: ShownRecorder | undefined;
  private readonly systems: DeploySystem[];
  private readonly posted: ({ system: DeploySystem } & Posting)[] = [];

  constructor(private readonly options: RehearsalOptions) {
    this.scripted = options.commands.map((spec) => ({ spec }));
    this.start = options.start ?? REHEARSAL_START;
    this.clock = new SimulatedClock(this.start);
    const loaded = loadRepo(options.files);
    const schedule = loaded.ok ? scheduleOf(loaded.model.config, []) : undefined;
    const controlled = (control: "approve" | "automerge") =>
      new Set(
        loaded.ok
          ? options.plan.steps.filter((s) => stepControls(loaded.model.config, s)[control]).map((s) => s.id)
          : [],
      );
    this.needsApproval = controlled("approve");
    this.autoMerged = controlled("automerge");
    this.windows = schedule?.windows ?? [];
    this.freezes = schedule?.freezes ?? [];
    this.shown = options.onShown ? new ShownRecorder(BOT, this.start) : undefined;
    this.systems = options.deploy ?? derivedSystems(options.files);
  }

  private log(line: string): void {
    this.options.onEvent?.(this.clock.current - this.start, line);
  }

  private schedule(delay: number, run: Agenda["run"]): void {
    this.agenda.push({ at: this.clock.current + delay, run });
  }

  /** The plan step a Handover PR belongs to; a rollback PR (`handover/N/rollback-<step>-<k>`) belongs to the step it reverts. */
  private stepOf(pr: SimPullRequest): PlannedStep | undefined {
    const reverted = stepOfRollback(pr.pull.headRef.slice(pr.pull.headRef.lastIndexOf("/") + 1));
    return this.options.plan.steps.find((s) => (reverted ? s.id === reverted : s.branch === pr.pull.headRef));
  }

  /** Health probe of Replicante's introspect endpoints: HEALTHY, or FAILED for the cluster of a failing step. */
  private probe = async (url: string): Promise<{ body?: string; error?: string }> => {
    if (url.endsWith("/version"))
      return { body: JSON.stringify({ commit: "0000000", taint: "not tainted", version: this.options.plan.version }) };
    const status = this.failing.has(url) ? "FAILED" : "HEALTHY";
    return {
      body: JSON.stringify({
        age_secs: 3,
        results: { coordination: { status }, "store-primary": { status: "HEALTHY" } },
      }),
    };
  };

  private async settle(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await this.world.sim.deliverAll();
      await Promise.all(this.world.replicas.map((r) => r.idle()));
      this.shown?.look(this.world.sim, this.issue, this.clock.current);
      if (this.world.sim.pendingEvents() === 0) return;
    }
  }

  /**
   * The dashboard's state as the simulated people read it, decoded again only when the dashboard changed: the
   * rehearsal looks at it several times a tick, and each decode is garbage the App's process collects.
   */
  private dashboardState(): { hidden?: HiddenState; label: string | null } {
    const sim = this.world.sim;
    const labels = sim.labels(this.issue).filter((l) => l.startsWith("handover:"));
    const dashboard = sim.listComments(this.issue).find((c) => c.user === BOT && c.body.includes(DASHBOARD_MARKER));
    if (dashboard?.body !== this.decoded?.body)
      this.decoded = dashboard ? { body: dashboard.body, hidden: decodeState(dashboard.body) } : undefined;
    const hidden = this.decoded?.hidden;
    return { ...(hidden ? { hidden } : {}), label: labels[0] ?? null };
  }

  /**
   * After a merge, each deploy system reports on the default branch as it is when it gets there (the merge commit or a
   * later one that contains it), after its own delay; `--fail-health` makes them report a failure for that step.
   */
  private deploy(step: PlannedStep, sha: string, rollback = false): void {
    const fail = this.options.failHealth === step.id && !rollback;
    const gate = step.gate;
    if (gate && fail) for (const check of gate.checks) if ("http" in check) this.failing.add(check.http);
    if (gate?.checks.some((c) => "http" in c))
      this.log(`replicante: ${gate.cluster} introspection reports ${fail ? "FAILED" : "HEALTHY"}`);
    for (const system of this.systems) {
      this.schedule(DEPLOY_DELAY_MS[system], () => this.post(system, step, sha, fail, rollback));
    }
  }

  private post(system: DeploySystem, step: PlannedStep, merged: string, fail: boolean, rollback: boolean): void {
    const sim = this.world.sim;
    // Flux and Argo CD reconcile the newest revision: a merge commit superseded by then never gets a report.
    const sha = system === "flux" || system === "argocd" ? (sim.defaultBranchHistory().at(-1) ?? merged) : merged;
    const state = fail ? "failure" : "success";
    const postings = postingsFor(system, sim.readTree(sha));
    for (const posting of postings) {
      if (posting.kind === "status") sim.setStatus(sha, posting.context, state, system);
      else sim.createDeploymentStatus(sim.createDeployment(sha, posting.environment, system), state, system);
      this.posted.push({ system, ...posting });
    }
    const what = postings.map((p) => (p.kind === "status" ? p.context : `deployment ${p.environment}`)).join(", ");
    this.log(
      `deploy (${system}): ${what || "nothing to report"} ${postings.length ? `${state} on ${sha.slice(0, 7)}` : ""}`.trimEnd() +
        ` after ${rollback ? `the rollback of ${step.id}` : step.id}`,
    );
  }

  /** Why a gate that never passed kept waiting: each check, and what the deploy systems posted instead. */
  private waiting(stepId: string | null): string[] {
    const step = this.options.plan.steps.find((s) => s.id === stepId);
    if (!step?.gate) return [];
    const contexts = [...new Set(this.posted.flatMap((p) => (p.kind === "status" ? [p.context] : [])))];
    const environments = [...new Set(this.posted.flatMap((p) => (p.kind === "deployment" ? [p.environment] : [])))];
    const systems = this.systems.join(", ") || "none";
    return step.gate.checks.flatMap((check) => {
      const glob = statusGlob(check);
      if (glob !== undefined) {
        if (contexts.some((c) => picomatch(glob, { dot: true })(c))) return [];
        return [
          `${step.id}: the gate waited for a status matching ${JSON.stringify(glob)}, but the deploy system (${systems}) posted ${contexts.length ? contexts.join(", ") : "no status"}: none matches`,
        ];
      }
      if ("deployment" in check && !environments.includes(check.deployment))
        return [
          `${step.id}: the gate waited for a deployment to ${JSON.stringify(check.deployment)}, but the deploy system (${systems}) deployed ${environments.length ? environments.join(", ") : "no environment"}`,
        ];
      return [];
    });
  }

  /**
   * The simulated operator fills in the scaffold's REPLACE-ME values on the prepare branch, as a person would: with the
   * dependencies of the target the issue names now (an edit before the first merge changes it).
   */
  private fillScaffold(branch: string): void {
    const sim = this.world.sim;
    // Gone by then (an abort closed its PR and deleted it): there is nothing to fill in.
    if (sim.branchSha(branch) === undefined) return;
    const tree = sim.readTree(branch);
    const target = parseIssueBody(sim.getIssue(this.issue).body ?? "").request.target || this.options.plan.target;
    const changes = [...tree]
      .filter(([, text]) => text.includes(PLACEHOLDER))
      .map(([path, text]) => ({ path, content: text.replaceAll(PLACEHOLDER, `${target}-deps.internal`) }));
    if (changes.length === 0) return;
    // A rebase merge puts every commit of the PR on the default branch: in a rebase-only repo the operator squashes the
    // branch's commits (the scaffold's, and any a reviewer pushed) into one, so no commit with REPLACE-ME lands there.
    const squash = this.options.repo?.merge === "rebase" ? sim.mergeBase(branch, sim.repo.defaultBranch) : undefined;
    sim.pushFiles(
      OPERATOR,
      branch,
      changes,
      `Point ${target} at its own dependencies`,
      squash ? { parent: squash } : {},
    );
    this.log(`operator: filled in ${changes.length} file(s) on ${branch} with ${target}'s own dependencies`);
  }

  /**
   * The operator readies a draft, the reviewers approve (as many as the repo requires), the operator brings a branch
   * that is behind up to date when the repo requires it, and merges with the method the repo allows. A PR that does not
   * merge (conflict) is tried again a little later, as a person would.
   */
  private merge(number: number, what: string, attempt: number, autoStep?: string): void {
    const sim = this.world.sim;
    const current = sim.listPulls().find((p) => p.number === number);
    if (current?.state !== "open") return;
    const repo = this.options.repo ?? {};
    try {
      if (current.pull.draft) {
        sim.markReady(number, OPERATOR);
        this.log(`operator: marked #${number} ready for review`);
      }
      for (let i = 0; i < (repo.reviews ?? 0); i++) {
        const reviewer = i === 0 ? OPERATOR : `reviewer-${i + 1}`;
        sim.setPermission(reviewer, i === 0 ? "admin" : "write");
        if (!current.pull.reviews.some((r) => r.user === reviewer && r.state === "APPROVED"))
          sim.approvePull(number, reviewer);
      }
      // With a merge queue, GitHub's auto-merge adds the PR to the queue; one that leaves it (a group that failed or timed
      // out) is not added again by GitHub: the operator looks again (waiting in the queue is no attempt: GitHub's timeout
      // ends it), and queues it below once it is out.
      if (current.pull.autoMerge && !(repo.mergeQueue && !current.pull.queued && attempt > 0)) {
        if (attempt === 0) this.log(`operator: leaves #${number} (${what}) to GitHub's auto-merge`);
        if (repo.mergeQueue)
          this.schedule(REVIEW_DELAY, () => this.merge(number, what, Math.max(attempt, 1), autoStep));
        return;
      }
      // A step handover.yml marks for auto-merge is left to it until Handover says it could not be enabled (a fault
      // may delay Handover's request); then the operator merges as usual. Handover asks nothing while the chain is
      // paused or once people pushed to the branch (the dashboard says a person merges): the operator does not wait.
      const hidden = this.dashboardState().hidden;
      const peoples = sim.repo.objects.getCommit(current.pull.headSha)?.committer.name !== COMMITTER.name;
      if (autoStep && !hidden?.steps[autoStep]?.autoMerge && !hidden?.paused && !peoples && attempt < MERGE_ATTEMPTS) {
        this.schedule(REVIEW_DELAY, () => this.merge(number, what, attempt + 1, autoStep));
        return;
      }
      if (repo.mergeQueue) {
        // Each time the operator queues the PR counts as an attempt; waiting in the queue does not (GitHub's timeout
        // ends it). A PR leaves the queue when its branch is pushed to, or its group fails or times out: the operator
        // looks again later, and queues it again.
        let next = attempt;
        if (!current.pull.queued) {
          sim.enqueuePull(number, OPERATOR);
          this.log(`operator: added #${number} (${what}) to the merge queue`);
          next = attempt + 1;
        }
        if (next <= MERGE_ATTEMPTS) this.schedule(REVIEW_DELAY, () => this.merge(number, what, next, autoStep));
        return;
      }
      sim.mergePull(number, OPERATOR, repo.merge ?? "merge");
      this.log(
        `operator: merged #${number} (${what})${repo.merge && repo.merge !== "merge" ? ` by ${repo.merge}` : ""}`,
      );
    } catch (err) {
      const message = (err as Error).message;
      this.log(`operator: #${number} (${what}) cannot be merged yet: ${message}`);
      // "Update branch" merges the default branch in (GitHub's merge commit): a rebase-only repo would refuse it.
      if (message.includes("not up to date") && repo.merge !== "rebase") {
        try {
          sim.updateBranch(number, OPERATOR);
          this.log(`operator: updated #${number} (${what}) with the default branch ("Update branch")`);
        } catch (update) {
          this.log(`operator: #${number} (${what}) cannot be updated: ${(update as Error).message}`);
        }
      }
      if (attempt < MERGE_ATTEMPTS) this.schedule(REVIEW_DELAY, () => this.merge(number, what, attempt + 1, autoStep));
    }
  }

  private trigger(stepId: string, event: ScriptedComment["event"]): void {
    const step = this.options.plan.steps.find((s) => s.id === stepId);
    if (step) this.options.onStep?.(event, step, this.world.sim);
    for (const item of this.scripted) {
      if (item.spec.after !== stepId || item.spec.event !== event || item.id !== undefined) continue;
      item.id = -1;
      this.schedule(item.spec.delay * 1000, () => {
        this.world.sim.setPermission(item.spec.user, item.spec.permission);
        for (const team of item.spec.teams ?? []) this.world.sim.addTeamMember(team, item.spec.user);
        item.id = this.world.sim.comment(item.spec.user, this.issue, item.spec.body);
        this.log(`@${item.spec.user} (${item.spec.permission}): ${item.spec.body.split("\n")[0]}`);
      });
    }
  }

  /** What the simulated people and systems do in reaction to what they see. */
  private react(): void {
    const sim = this.world.sim;
    const { hidden } = this.dashboardState();
    for (const step of this.options.plan.steps) {
      const rec = hidden?.steps[step.id];
      // A step already on the default branch: the live deploy system has reported on that commit all along.
      if (rec?.noDiff && !this.reportedNoDiff.has(step.id)) {
        this.reportedNoDiff.add(step.id);
        this.log(`${step.id}: already on the default branch (no PR); its gate reads ${rec.noDiff.sha.slice(0, 7)}`);
        this.deploy(step, rec.noDiff.sha);
      }
      const passed = rec?.gatePassedAt !== undefined || rec?.skipped !== undefined;
      if (!passed) this.gates.delete(step.id); // rolled back: its gate counts again when it passes again
      if (passed && !this.gates.has(step.id)) {
        this.gates.add(step.id);
        // Handover sees a soak end at its next look; the report gives the time it ended.
        const ended = rec?.gatePassedAt;
        const late = ended !== undefined && ended < this.clock.current;
        const why = rec?.skipped
          ? ` (skipped by @${rec.skipped.by})`
          : late
            ? ` (its soak ended at ${formatElapsed(Math.round((ended - this.start) / 1000))})`
            : "";
        this.log(`gate passed: ${step.id}${why}`);
        this.trigger(step.id, "gate_passed");
      }
    }
    for (const pr of sim.listPulls()) {
      const step = this.stepOf(pr);
      if (!step) continue;
      const rollback = pr.pull.headRef.includes("/rollback-");
      const seen = this.seenPrs.get(pr.number) ?? {};
      this.seenPrs.set(pr.number, seen);
      const review = () => {
        if (step.kind === "prepare" && !rollback) this.fillScaffold(pr.pull.headRef);
        const auto = !rollback && this.autoMerged.has(step.id) ? step.id : undefined;
        this.merge(pr.number, rollback ? `rollback of ${step.id}` : step.id, 0, auto);
      };
      if (seen.opened === undefined) {
        seen.opened = this.clock.current;
        this.log(`PR #${pr.number} opened: ${pr.title}${pr.pull.draft ? " (draft)" : ""}`);
        if (!rollback) this.trigger(step.id, "opened");
        this.schedule(REVIEW_DELAY, review);
      }
      // Closed unmerged, then reopened (`/handover retry`, or a person): the operator reviews it again.
      if (pr.state === "closed" && !pr.pull.merged) seen.closed = true;
      if (pr.state === "open" && seen.closed) {
        seen.closed = false;
        this.log(`PR #${pr.number} reopened`);
        this.schedule(REVIEW_DELAY, review);
      }
      if (pr.pull.merged && seen.merged === undefined) {
        seen.merged = this.clock.current;
        if (this.options.repo?.mergeQueue)
          this.log(`GitHub: the merge queue merged #${pr.number} (${step.id}) once handover/guard passed on its group`);
        else if (pr.pull.mergedBy === BOT)
          this.log(
            pr.pull.autoMerge
              ? `GitHub: auto-merged #${pr.number} (${step.id}) once its required checks passed (merged by ${BOT})`
              : `${BOT}: merged #${pr.number} (${step.id}) at once: GitHub refuses auto-merge on a PR with nothing left to wait for`,
          );
        if (!rollback) this.trigger(step.id, "merged");
        const sha = pr.pull.mergeCommitSha;
        if (sha) this.deploy(step, sha, rollback);
      }
    }
    const adoptsDone = this.options.plan.steps
      .filter((s) => s.kind !== "decommission")
      .every((s) => this.gates.has(s.id));
    if (adoptsDone && !this.decommissionAsked && !hidden?.decommission) {
      this.decommissionAsked = true;
      sim.setPermission(OPERATOR, "admin");
      sim.comment(OPERATOR, this.issue, "/handover decommission");
      this.log("operator: /handover decommission");
    }
  }

  private chaos(): void {
    if (this.options.chaosSeed === undefined) return;
    const rng = seededRandom(this.options.chaosSeed);
    const sim = this.world.sim;
    sim.chaos = { rng, duplicate: 0.15, reorder: 0.15, drop: 0.15 };
    sim.faultHook = (req) => {
      if (this.clock.current - this.start > CHAOS_UNTIL || req.path.includes("/access_tokens")) return undefined;
      const roll = rng();
      if (roll < 0.03) return req.write ? "502-after-write" : "500";
      if (roll < 0.05) return "500";
      if (roll < 0.06) return "secondary-rate-limit";
      return undefined;
    };
  }

  async run(): Promise<RehearsalReport> {
    const repo = this.options.repo ?? {};
    this.world = await startWorld({
      clock: this.clock,
      files: this.options.files,
      replicas: this.options.replicas,
      probe: this.probe,
      seed: this.options.chaosSeed ?? 1,
      settings: {
        mergeMethods: [repo.merge ?? "merge"],
        drafts: !repo.noDrafts,
        requiredReviews: repo.reviews ?? 0,
        autoMerge: !repo.noAutoMerge,
        upToDate: repo.upToDate === true,
        // Branch protection of a config repo whose steps auto-merge, or that merges through a queue: the guard must
        // pass first.
        requiredChecks: this.autoMerged.size > 0 || repo.mergeQueue ? [GUARD_NAME] : [],
        mergeQueue: repo.mergeQueue === true,
      },
      ...(this.options.replica ? { replica: this.options.replica } : {}),
      ...(this.options.transport ? { transport: this.options.transport } : {}),
    });
    this.options.onWorld?.(this.world);
    try {
      this.options.onSim?.(this.world.sim);
      this.chaos();
      const sim = this.world.sim;
      sim.setPermission(OPERATOR, "admin");
      if (!repo.noLabels) sim.createLabel(FORM_LABEL);
      // Filed through the issue form: its label applies only if the repo has it.
      this.issue = sim.createIssue(
        OPERATOR,
        `Upgrade Replicante Core: ${this.options.plan.source} -> ${this.options.plan.target}`,
        this.options.issueBody,
        [FORM_LABEL],
      );
      this.log(
        `issue #${this.issue} filed: ${this.options.plan.source} -> ${this.options.plan.target} (Replicante Core ${this.options.plan.version}), ${this.options.plan.steps.length} steps`,
      );
      let nextTick = this.clock.current + TICK;
      for (;;) {
        await this.settle();
        this.react();
        if (this.world.sim.pendingEvents() > 0) continue;
        const { label } = this.dashboardState();
        const chaosOver = this.options.chaosSeed === undefined || this.clock.current - this.start > CHAOS_UNTIL;
        if (chaosOver && (label === "handover:done" || label === "handover:aborted")) break;
        // Held for a person: stop once every scripted comment was posted and handled (a dropped webhook leaves one for
        // the next resync, which may be the `/handover resume` or `retry` the hold waits for).
        if (
          chaosOver &&
          (label === "handover:failed" || label === "handover:paused") &&
          this.agenda.length === 0 &&
          this.scriptedHandled()
        )
          break;
        if (chaosOver && this.waitsForApprovalForever()) break;
        const next = Math.min(nextTick, ...this.agenda.map((a) => a.at));
        // Time outside the change windows does not count against the limit: a long freeze is not a stuck rehearsal.
        if (!openAt(this.windows, this.freezes, this.clock.current)) this.closedMs += next - this.clock.current;
        if (next - this.start - this.closedMs > LIMIT) break;
        this.clock.current = next;
        this.world.sim.tick();
        const due = this.agenda.filter((a) => a.at <= next).sort((a, b) => a.at - b.at);
        this.agenda.splice(0, this.agenda.length, ...this.agenda.filter((a) => a.at > next));
        for (const item of due) await item.run();
        if (next >= nextTick) {
          nextTick = next + this.tick(next);
          for (const replica of this.world.replicas) await replica.resyncAll();
        }
      }
      const report = this.report();
      if (this.shown) this.options.onShown?.(this.shown.files(this.world.sim, this.issue));
      return report;
    } finally {
      await this.world.stop();
    }
  }

  /**
   * Every scripted command posted so far is recorded handled in the dashboard's state (a dropped webhook leaves one for
   * the next resync). One never posted (its moment did not come) cannot end a hold; other comments are not commands.
   */
  private scriptedHandled(): boolean {
    const { hidden } = this.dashboardState();
    return this.scripted.every(
      ({ id, spec }) =>
        id === undefined ||
        parseCommand(spec.body).kind === "none" ||
        (hidden !== undefined && id > 0 && (id <= hidden.handledBelow || hidden.handled.includes(id))),
    );
  }

  /** The next step waits for `/handover approve` and no scripted comment is left to give it. */
  private waitsForApprovalForever(): boolean {
    const { hidden } = this.dashboardState();
    if (!hidden || this.agenda.length > 0) return false;
    if (!this.scriptedHandled()) return false;
    const current = this.options.plan.steps.find((s) => !stepDone(hidden, s));
    if (!current || !this.needsApproval.has(current.id) || hidden.steps[current.id]?.approved) return false;
    return !this.world.sim.listPulls().some((p) => p.pull.headRef === current.branch);
  }

  /** A minute; outside the change windows (nothing can open) up to an hour, landing on the next opening. */
  private tick(now: number): number {
    if (openAt(this.windows, this.freezes, now)) return TICK;
    const opening = nextOpening(this.windows, this.freezes, now);
    return opening === undefined ? QUIET_TICK : Math.max(TICK, Math.min(QUIET_TICK, opening - now));
  }

  private seconds(at: number | undefined): number | null {
    return at === undefined ? null : Math.round((at - this.start) / 1000);
  }

  private report(): RehearsalReport {
    const sim = this.world.sim;
    const { hidden, label } = this.dashboardState();
    const pulls = sim.listPulls();
    const steps = this.options.plan.steps.map((step): StepReport => {
      const pr = pulls.filter((p) => p.pull.headRef === step.branch).sort((a, b) => b.number - a.number)[0];
      const seen = pr ? (this.seenPrs.get(pr.number) ?? {}) : {};
      const rec = hidden?.steps[step.id];
      return {
        id: step.id,
        pr: pr?.number ?? null,
        state: pr ? (pr.pull.merged ? "merged" : pr.state) : null,
        opened_at: pr ? this.seconds(seen.opened) : null,
        merged_at: pr?.pull.merged ? this.seconds(seen.merged) : null,
        // When the gate passed as Handover recorded it (its soak's end, by GitHub's report times), not when the
        // rehearsal next looked: a step opened between the two did not skip the gate.
        gate_passed_at: this.seconds(rec?.gatePassedAt ?? rec?.skipped?.at),
      };
    });
    // A step opened again after a rollback is a new PR on purpose: PRs the rollback undid are not duplicates. Nor is
    // a PR a person closed unmerged (or whose branch they deleted), opened anew when they asked for a retry.
    const perBranch = new Map<string, number>();
    const replaced = (p: (typeof pulls)[number]) => !p.pull.merged && p.closedBy !== null && p.closedBy !== BOT;
    for (const pr of pulls.filter((p) => !hidden?.undone.includes(p.number) && !replaced(p)))
      perBranch.set(pr.pull.headRef, (perBranch.get(pr.pull.headRef) ?? 0) + 1);
    const violations = sim
      .defaultBranchHistory()
      .map((commit) => ({ commit, violations: checkTree(sim.readTree(commit)) }))
      .filter((c) => c.violations.length > 0);
    const comments = this.scripted.map(({ spec, id }) => {
      const reactions = id && id > 0 ? sim.reactions(id) : [];
      const reaction = reactions[reactions.length - 1] ?? null;
      const marker = id && id > 0 ? replyMarker(id) : undefined;
      const reply = marker
        ? (sim
            .listComments(this.issue)
            .find((c) => c.user === BOT && c.body.startsWith(marker))
            ?.body.slice(marker.length + 1) ?? null)
        : null;
      return {
        user: spec.user,
        body: spec.body,
        accepted: reaction === "rocket" || reaction === "eyes",
        reaction,
        reply,
      };
    });
    const completed = label === "handover:done";
    const stoppedAt = completed
      ? null
      : (this.options.plan.steps.find(
          (s) =>
            !(
              hidden?.steps[s.id]?.gatePassedAt !== undefined ||
              hidden?.steps[s.id]?.skipped ||
              (s.kind === "decommission" && hidden?.steps[s.id]?.mergeSha)
            ),
        )?.id ?? null);
    return {
      completed,
      stopped_at: stoppedAt,
      final_label: label,
      steps,
      comments,
      violations,
      duplicate_prs: [...perBranch.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      deploy: {
        systems: this.systems,
        posted: [...new Set(this.posted.map((p) => (p.kind === "status" ? p.context : `deployment ${p.environment}`)))],
        waiting: completed ? [] : this.waiting(stoppedAt),
        build_errors: buildErrors(sim.readTree(sim.defaultBranchHistory().at(-1) ?? "HEAD")),
      },
      api: { requests: sim.requests.length, writes: sim.requests.filter((r) => r.write).length },
      simulated_seconds: Math.round((this.clock.current - this.start) / 1000),
    };
  }
}

/** Why `kustomize build` would fail on a tree: entries naming missing files, one resource built twice. */
function buildErrors(tree: FileMap): string[] {
  const dangling = danglingRefs(tree).map(
    (r) => `${r.file}: ${JSON.stringify(r.value)} names ${r.target}, which does not exist`,
  );
  const twice = finish(findingResourceClashes(tree)).map(
    (clash) => `${clash.kustomization}: builds ${resourceName(clash.second)} twice`,
  );
  return [...dangling, ...twice];
}

/** Run the whole migration against the simulator: real App, simulated reviewers, deploys and clock. */
export function rehearse(options: RehearsalOptions): Promise<RehearsalReport> {
  return new Rehearsal(options).run();
}
