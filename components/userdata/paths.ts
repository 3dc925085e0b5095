/** Where the boot script puts things on the runner VM. */
export const RUNNER_USER = "ubuntu";
export const RUNNER_DIR = "/home/ubuntu/actions-runner";
export const RUNNER_ENV_FILE = `${RUNNER_DIR}/.env`;
/** `/home/ubuntu/.local/bin` first, as the seed had it (pip --user installs land there). */
export const RUNNER_PATH =
    "/home/ubuntu/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin";

/** Root-owned, so a job cannot change what later jobs (on persistent runners) run. */
export const HELPER_DIR = "/usr/local/lib/github-runner";
export const PRE_JOB_SCRIPT_FILE = `${HELPER_DIR}/job-started.sh`;
export const START_SCRIPT_FILE = `${HELPER_DIR}/start-runner`;
/** Root-only directory holding the JIT config or registration token. */
export const SECRET_DIR = "/etc/github-runner";

export const RUNNER_UNIT = "github-runner.service";
export const RUNNER_UNIT_FILE = `/etc/systemd/system/${RUNNER_UNIT}`;

export const DOCKER_DAEMON_JSON = "/etc/docker/daemon.json";
export const DOCKER_PROXY_DROP_IN = "/etc/systemd/system/docker.service.d/http-proxy.conf";

export const CLOUD_INIT_HOSTNAME_CFG = "/etc/cloud/cloud.cfg.d/99-github-runner-hostname.cfg";
