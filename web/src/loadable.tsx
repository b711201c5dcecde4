import { useEffect, useState, type ComponentType, type ReactNode } from 'react';

export type Loadable<P> = ComponentType<P> & { preload: () => Promise<void> };

/**
 * A component whose code loads on first use, like React.lazy, but without
 * Suspense: React holds a revealed Suspense boundary back for up to 300 ms,
 * which the editor would pay on every block it opens.
 */
export function loadable<P extends object>(load: () => Promise<ComponentType<P>>, fallback: ReactNode = null): Loadable<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<void> | undefined;
  const preload = () =>
    (pending ??= load().then((component) => {
      loaded = component;
    }));
  function LoadableComponent(props: P) {
    const [, setReady] = useState(false);
    useEffect(() => {
      if (!loaded) void preload().then(() => setReady(true));
    }, []);
    if (!loaded) return <>{fallback}</>;
    const Component = loaded;
    return <Component {...props} />;
  }
  return Object.assign(LoadableComponent, { preload });
}
