import { loadStackConfig } from "./components/config";
import { RunnerFleet } from "./components/fleet";
import { observeFleet } from "./components/observe";
import { slotWindow } from "./components/slot-window";
import { limitStackCapture } from "./components/stack-capture";

// Validation comes first: a bad config fails here, before any resource exists.
// Then the reads (previous outputs, GitHub's runners, the runner tarball of a
// built image), then every resource; the fleet's summary is the stack output.
export = async () => {
    limitStackCapture();
    const slotsAtOnce = slotWindow();
    const config = loadStackConfig();
    const observed = await observeFleet(config);
    const fleet = new RunnerFleet("fleet", { config, observed, slotWindow: slotsAtOnce });
    return fleet.stackOutputs;
};
