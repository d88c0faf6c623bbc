import type { Route } from './context';

export const wikiRoutes: Route[] = [];
