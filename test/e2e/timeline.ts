/** How long each step of a scenario took, printed at the end whatever the outcome. */
export class Timeline {
    private readonly steps: Array<{ name: string; ms: number; failed: boolean }> = [];
    private readonly started = Date.now();

    constructor(private readonly title: string) {}

    async step<T>(name: string, body: () => Promise<T>): Promise<T> {
        const start = Date.now();
        try {
            const result = await body();
            this.steps.push({ name, ms: Date.now() - start, failed: false });
            return result;
        } catch (error) {
            this.steps.push({ name, ms: Date.now() - start, failed: true });
            throw error;
        }
    }

    format(): string {
        const width = Math.max(...this.steps.map((step) => step.name.length), 10);
        const lines = this.steps.map((step) => `  ${step.name.padEnd(width)}  ${(step.ms / 1000).toFixed(1).padStart(6)} s${step.failed ? "  (failed)" : ""}`);
        return [`${this.title} timeline:`, ...lines, `  ${"total".padEnd(width)}  ${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)} s`].join("\n");
    }
}
