import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { html } from 'hono/html';
import { httpStatusOf, type ErrorCode } from '@shared/errors.js';
import { AliasName, Role, type Actor, type ModelAlias, type Proposal, type RegistryEvent } from '@shared/schema/registry.js';
import { formatHlc } from '@shared/sync/hlc.js';
import { ModelVersion, Project } from '@shared/schema/records.js';
import { bundleFileName, writeBundle } from '@shared/registry/bundle.js';
import type { Db } from '../store/db.js';
import { createPerson, listPeople, revokePerson, type Person } from '../store/people.js';
import { decideProposal, registryRecords, setAlias, type RegistryOutcome } from '../store/registry.js';
import { serverGates } from '../store/gates.js';
import { readBlob } from '../store/blobs.js';
import { versionWithProject } from '../store/version-export.js';
import { readForm } from '../middleware/form-body.js';
import { checkFormToken, formToken } from '../middleware/csrf.js';
import type { ConsoleVars } from '../middleware/console-session.js';
import { csrfInput, historyTable, messageView, page, when, who } from './console-page.js';

/**
 * The registry in the console: people and their roles (admins only), proposals waiting for a
 * person who may approve them, aliases, and each version's history. Every form is a signed-in
 * form with the session's token; what a role may not do is refused by the store, whatever the page
 * offered.
 */

type Env = { Variables: ConsoleVars };
type Html = ReturnType<typeof html>;
const ROLE_WORDS: Record<string, string> = { admin: 'admin', ml_lead: 'ML lead (approves promotions)', field: 'field staff (proposes)' };

async function signed(c: Context<Env>) {
  const form = await readForm(c);
  checkFormToken(form, c.get('sessionId'));
  return { org: c.get('org')!, actor: c.get('actor')!, form };
}

const outcomePage = (c: Context<Env>, title: string, o: RegistryOutcome) =>
  o === 'applied' || o === 'proposed'
    ? c.redirect('/console')
    : c.html(messageView(title, o.message), httpStatusOf(o.code as ErrorCode) as ContentfulStatusCode);

/** The front page's registry sections: proposals waiting, and (for admins) people. */
export async function registrySections(db: Db, orgId: string, actor: Actor, token: string): Promise<Html> {
  const proposals = (await registryRecords<Proposal>(db, orgId, 'proposals')).filter((p) => p.status === 'pending');
  const people = actor.role === 'admin' ? await listPeople(db, orgId) : [];
  return html`<p>Signed in as ${who(actor)}.</p>
    <h2>Proposals waiting for approval (${proposals.length})</h2>
    ${
      proposals.length
        ? html`<div class="wrap">
            <table aria-label="Proposals">
              <tr>
                <th>Version</th>
                <th>Proposed by</th>
                <th>Why</th>
                <th>Measured on the device</th>
                <th>Decide</th>
              </tr>
              ${proposals.map(
                (p, i) =>
                  html`<tr>
                    <td><a href="/console/versions/${encodeURIComponent(p.modelVersionId)}">${p.modelVersionId}</a> → ${p.to}</td>
                    <td>${who(p.proposedBy)}, ${when(p.at)}</td>
                    <td>${p.why || '—'}</td>
                    <td>${p.measurements ? `p95 ${p.measurements.latencyP95Ms} ms, ${p.measurements.memoryMb} MB on ${p.measurements.deviceName}` : '—'}</td>
                    <td>
                      <form method="post" action="/console/proposals/${encodeURIComponent(p.id)}">
                        ${csrfInput(token)}
                        <label class="sr" for="why-${i}">Why</label>
                        <input id="why-${i}" name="why" placeholder="why" />
                        <button name="decision" value="approve">Approve</button>
                        <button name="decision" value="reject">Reject</button>
                      </form>
                    </td>
                  </tr>`,
              )}
            </table>
          </div>`
        : html`<p>None.</p>`
    }
    ${actor.role === 'admin' ? peopleSection(people, token) : ''}`;
}

const peopleSection = (people: Person[], token: string) =>
  html`<h2>People (${people.length})</h2>
    <div class="wrap">
      <table aria-label="People">
        <tr>
          <th>Name</th>
          <th>Role</th>
          <th>Added</th>
          <th>State</th>
          <th></th>
        </tr>
        ${people.map(
          (p) =>
            html`<tr>
              <td>${p.name}</td>
              <td>${ROLE_WORDS[p.role] ?? p.role}</td>
              <td>${p.createdAt}</td>
              <td>${p.revokedAt ? 'revoked' : 'active'}</td>
              <td>
                ${
                  p.revokedAt
                    ? ''
                    : html`<form method="post" action="/console/people/${encodeURIComponent(p.id)}/revoke">${csrfInput(token)}<button>Revoke</button></form>`
                }
              </td>
            </tr>`,
        )}
      </table>
    </div>
    <form method="post" action="/console/people">
      ${csrfInput(token)}
      <label for="person-name">Name</label> <input id="person-name" name="name" required />
      <label for="person-role">Role</label>
      <select id="person-role" name="role">
        ${Role.options.map((r) => html`<option value="${r}">${ROLE_WORDS[r]}</option>`)}
      </select>
      <button>Add person</button>
    </form>`;

function versionView(id: string, events: RegistryEvent[], aliases: ModelAlias[], token: string, projectId?: string) {
  return page(
    'Version history',
    html`<p><a href="/console">Back</a></p>
      <h1>Version <code>${id}</code></h1>
      <p>
        <a href="/console/versions/${encodeURIComponent(id)}/export.zip" download>Download this version</a> (one zip: the weights, the files TensorFlow.js or
        ONNX tools open, and its model card)
      </p>
      <p>Aliases: ${aliases.length ? aliases.map((a) => a.alias).join(', ') : 'none'}</p>
      <p><a href="/console/versions/${encodeURIComponent(id)}/ratings">Human evaluation: blind rating studies and how people do</a></p>
      ${
        projectId
          ? html`<p>
                <a href="/console/projects/${encodeURIComponent(projectId)}/deployment"
                  >The project’s deployment: which version answers, trials and roll-outs</a
                >
              </p>
              <p><a href="/console/projects/${encodeURIComponent(projectId)}/plan">The project’s plan: what it is for, as the field wrote it</a></p>
              <p><a href="/console/projects/${encodeURIComponent(projectId)}/data">The project’s data: datasets, versions and labels</a></p>`
          : ''
      }
      <form method="post" action="/console/versions/${encodeURIComponent(id)}/alias">
        ${csrfInput(token)}
        <label for="alias">Point an alias at this version</label> <input id="alias" name="alias" placeholder="champion" required />
        <button>Set alias</button>
      </form>
      <h2>History</h2>
      ${historyTable(
        'History',
        events.map((e) => ({
          at: e.at,
          what: `${e.kind}${e.from ? ` ${e.from} →` : ''}${e.to ? ` ${e.to}` : ''}${e.alias ? ` ${e.alias}` : ''}`,
          actor: e.actor,
          why: e.why,
        })),
      )}`,
  );
}

/** The registry's console routes (all need a signed-in session; see consoleRoutes). */
export function registryConsoleRoutes(db: Db, now: () => number) {
  const hlc = () => formatHlc({ millis: now(), counter: 0, node: 'console' });
  return new Hono<Env>()
    .get('/versions/:id', async (c) => {
      const org = c.get('org')!;
      const id = c.req.param('id');
      const events = await registryRecords<RegistryEvent>(db, org.id, 'registry_events', id);
      const aliases = await registryRecords<ModelAlias>(db, org.id, 'model_aliases', id);
      const projectId = ((await versionWithProject(db, org.id, id))?.version as { projectId?: unknown } | undefined)?.projectId;
      return c.html(versionView(id, events, aliases, formToken(c.get('sessionId')!), typeof projectId === 'string' ? projectId : undefined));
    })
    .get('/versions/:id/export.zip', async (c) => {
      const org = c.get('org')!;
      const found = await versionWithProject(db, org.id, c.req.param('id'));
      const parsed = ModelVersion.safeParse(found?.version);
      if (!found || (parsed.success && parsed.data.deleted)) return c.html(messageView('Export', 'That model version is not on the server.'), 404);
      if (!parsed.success) return c.html(messageView('Export', 'The record of this version is not valid, so it cannot be exported.'), 422);
      const v = parsed.data;
      const blob = await readBlob(db, org.id, v.weightsHash);
      if (!blob)
        return c.html(
          messageView('Export', 'The weights of this version are not on the server yet: the device that registered it sends them when it syncs.'),
          404,
        );
      const project = Project.safeParse(found.project);
      const zip = writeBundle({ version: v, weights: blob.bytes, project: project.success ? project.data : undefined });
      return c.body(zip as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${bundleFileName(v)}"`,
        'cache-control': 'private, no-store',
      });
    })
    .post('/versions/:id/alias', async (c) => {
      const { org, actor, form } = await signed(c);
      const alias = AliasName.safeParse(form.alias ?? '');
      if (!alias.success) return c.html(messageView('Alias', alias.error.issues[0].message), 400);
      return outcomePage(c, 'Alias', await db.tx((q) => setAlias(q, org.id, c.req.param('id'), alias.data, actor, now(), hlc())));
    })
    .post('/proposals/:id', async (c) => {
      const { org, actor, form } = await signed(c);
      if (form.decision !== 'approve' && form.decision !== 'reject') return c.html(messageView('Proposal', 'Choose Approve or Reject.'), 400);
      const why = (form.why ?? '').slice(0, 1000);
      return outcomePage(
        c,
        'Proposal',
        await db.tx((q) => decideProposal(q, org.id, c.req.param('id'), form.decision === 'approve', why, actor, now(), hlc(), serverGates())),
      );
    })
    .post('/people', async (c) => {
      const { org, actor, form } = await signed(c);
      if (actor.role !== 'admin') return c.html(messageView('People', 'Only an admin can add people.'), 403);
      const { person, key } = await createPerson(db, org.id, form.name ?? '', form.role ?? '');
      return c.html(
        page(
          'Person added',
          html`<h1>${person.name}</h1>
            <p>Role: ${ROLE_WORDS[person.role]}. Their key, shown only now: give it to them in person.</p>
            <p class="code">${key}</p>
            <p>They sign in to this console with it, or on a device (Settings → Sign in as a person).</p>
            <p><a href="/console">Back</a></p>`,
        ),
      );
    })
    .post('/people/:id/revoke', async (c) => {
      const { org, actor } = await signed(c);
      if (actor.role !== 'admin') return c.html(messageView('People', 'Only an admin can revoke a person.'), 403);
      if (!(await revokePerson(db, org.id, c.req.param('id'), now()))) return c.html(messageView('People', 'That person is not in this organisation.'), 404);
      return c.redirect('/console');
    });
}
