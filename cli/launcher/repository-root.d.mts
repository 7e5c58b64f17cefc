/** Raised outside any Manifold repository. */
export declare class NotARepositoryError extends Error {}
/** True for a folder that holds a Manifold repository: `apps/` and `overlays/` side by side. */
export declare function isRepositoryRoot(dir: string): boolean;
/** The repository root: `explicit` when given (it must be one), else the nearest folder at or above `start` that is one. */
export declare function findRepositoryRoot(start: string, explicit?: string): string;
