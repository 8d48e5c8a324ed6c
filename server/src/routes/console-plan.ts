import { Hono } from 'hono';
import { html } from 'hono/html';
import { CANVAS_BLOCKS, canvasField, filledBlocks, type CanvasBlock } from '@shared/schema/canvas.js';
import type { Db } from '../store/db.js';
import { projectVersions } from '../store/deployments.js';
import type { ConsoleVars } from '../middleware/console-session.js';
import { messageView, page } from './console-page.js';

/**
 * A project's machine learning canvas in the console, as the field wrote it on their phones (each
 * block a synced field of the project, shared/src/schema/canvas.ts): read-only here, since the
 * people who know the work write it; the central team reads it beside the project's versions.
 * The console speaks English; the phones say the same blocks in the person's language.
 */

type Env = { Variables: ConsoleVars };

export const CANVAS_TITLES_EN: Record<CanvasBlock, string> = {
  predictionTask: 'What to predict',
  decisions: 'What people do with the answer',
  valueProposition: 'Who it helps',
  dataCollection: 'Collecting new cases',
  dataSources: 'Where the data comes from',
  impactSimulation: 'Checking it before use',
  makingPredictions: 'When answers are given',
  buildingModels: 'Making models',
  features: 'What the model looks at',
  monitoring: 'Watching it work',
};

export const planPath = (projectId: string) => `/console/projects/${encodeURIComponent(projectId)}/plan`;

export function planConsoleRoutes(db: Db) {
  return new Hono<Env>().get('/projects/:projectId/plan', async (c) => {
    const projectId = c.req.param('projectId');
    const found = await projectVersions(db, c.get('org')!.id, projectId);
    if (!found) return c.html(messageView('Plan', 'There is no project with that id in this organisation.'), 404);
    const p = found.project;
    const filled = filledBlocks(p);
    return c.html(
      page(
        `Plan of ${p.name}`,
        html`<p><a href="/console">Back</a></p>
          <h1>Plan of ${p.name}</h1>
          <p>
            ${filled.length} of ${CANVAS_BLOCKS.length} blocks of the machine learning canvas are written. People write them on the project’s Plan tab on their
            phones; they arrive here with the next sync.
          </p>
          <p><a href="/console/projects/${encodeURIComponent(projectId)}/deployment">The project’s deployment</a></p>
          <p><a href="/console/projects/${encodeURIComponent(projectId)}/data">The project’s data: datasets, versions and labels</a></p>
          ${CANVAS_BLOCKS.map(
            (b) =>
              html`<section>
                <h2>${CANVAS_TITLES_EN[b]}</h2>
                ${(p[canvasField(b)] ?? '').trim() ? html`<p class="canvas">${p[canvasField(b)]}</p>` : html`<p class="muted">Not written yet.</p>`}
              </section>`,
          )}`,
      ),
    );
  });
}
