import { call, type RouteRequest } from '../../api/client.ts';

type ChannelInput = NonNullable<RouteRequest<'POST /api/alerts/project'>['body']>;
type EventsInput = NonNullable<RouteRequest<'PATCH /api/alerts/project/:index'>['body']>;

/**
 * The alert routes of one scope: the project's (`pipeline` undefined, in
 * sluice.yaml) or one pipeline's (in its file). The two sets of routes take
 * and answer the same; only the pipeline's name a parameter more.
 */
export function alertCalls(pipeline: string | undefined) {
  if (pipeline === undefined) {
    return {
      add: (body: ChannelInput) => call('POST /api/alerts/project', { body }),
      setEvents: (index: number, body: EventsInput) => call('PATCH /api/alerts/project/:index', { params: { index }, body }),
      test: (index: number) => call('POST /api/alerts/project/:index/test', { params: { index } }),
      remove: (index: number) => call('DELETE /api/alerts/project/:index', { params: { index } }),
    };
  }
  const name = pipeline;
  return {
    add: (body: ChannelInput) => call('POST /api/alerts/pipelines/:name', { params: { name }, body }),
    setEvents: (index: number, body: EventsInput) => call('PATCH /api/alerts/pipelines/:name/:index', { params: { name, index }, body }),
    test: (index: number) => call('POST /api/alerts/pipelines/:name/:index/test', { params: { name, index } }),
    remove: (index: number) => call('DELETE /api/alerts/pipelines/:name/:index', { params: { name, index } }),
  };
}
