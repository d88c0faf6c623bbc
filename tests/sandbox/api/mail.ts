import type { Route } from './context';

export const mailRoutes: Route[] = [];
