export { type EventsServiceDeps, startEventsService } from "./service.ts";
