/** Hash routing: works from any static host and offline, with no server rewrite rules. */
export type Route = { name: 'projects' } | { name: 'project'; projectId: string; tab: ProjectTab } | { name: 'settings' };

export const PROJECT_TABS = ['data', 'forms', 'label', 'train', 'models', 'predict', 'monitor', 'plan'] as const;
export type ProjectTab = (typeof PROJECT_TABS)[number];

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'settings') return { name: 'settings' };
  if (parts[0] === 'p' && parts[1]) {
    const tab = (PROJECT_TABS as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as ProjectTab) : 'data';
    return { name: 'project', projectId: decodeURIComponent(parts[1]), tab };
  }
  return { name: 'projects' };
}

export function href(route: Route): string {
  if (route.name === 'settings') return '#/settings';
  if (route.name === 'project') return `#/p/${encodeURIComponent(route.projectId)}/${route.tab}`;
  return '#/';
}

export class Router {
  route = $state<Route>(parseRoute(location.hash));
  constructor() {
    addEventListener('hashchange', () => (this.route = parseRoute(location.hash)));
  }
  go(route: Route) {
    location.hash = href(route);
  }
}

export const router = new Router();
