// Replaced by the shared test environment (real Redis, database) once the core lands.
export default function setup(): void {}
