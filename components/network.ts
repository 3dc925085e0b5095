/**
 * RunnerNetwork: where runners live. Either a created network (subnet, router to
 * the external network for egress, and an egress-only security group with SSH
 * in from one range at most) or an existing network by name.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

export type RunnerNetworkArgs =
    | {
          kind: "create";
          namePrefix: string;
          cidr: string;
          dnsServers: string[];
          externalNetwork: string;
          sshIngressCidr?: string;
      }
    | { kind: "existing"; namePrefix: string; networkName: string; securityGroupName?: string };

export class RunnerNetwork extends pulumi.ComponentResource {
    /** Resolves only once the network can take ports (its subnet exists). */
    public readonly networkId: pulumi.Output<string>;
    public readonly securityGroupName: pulumi.Output<string>;

    constructor(name: string, args: RunnerNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("github-runners:index:RunnerNetwork", name, {}, opts);
        const parent = { parent: this };
        if (args.kind === "create") {
            const network = new openstack.networking.Network(`${name}-net`, { name: `${args.namePrefix}-net`, adminStateUp: true }, parent);
            const subnet = new openstack.networking.Subnet(
                `${name}-subnet`,
                { name: `${args.namePrefix}-subnet`, networkId: network.id, cidr: args.cidr, ipVersion: 4, dnsNameservers: args.dnsServers },
                parent,
            );
            const external = openstack.networking.getNetworkOutput({ name: args.externalNetwork, external: true }, parent);
            const router = new openstack.networking.Router(
                `${name}-router`,
                { name: `${args.namePrefix}-router`, externalNetworkId: external.id, adminStateUp: true },
                parent,
            );
            const routerInterface = new openstack.networking.RouterInterface(`${name}-router-if`, { routerId: router.id, subnetId: subnet.id }, parent);
            const group = this.egressOnlyGroup(name, args.namePrefix, args.sshIngressCidr);
            this.networkId = pulumi.all([network.id, subnet.id, routerInterface.id]).apply(([id]) => id);
            this.securityGroupName = group.name;
        } else {
            const network = openstack.networking.getNetworkOutput({ name: args.networkName }, parent);
            this.networkId = network.id;
            if (args.securityGroupName !== undefined) {
                const wanted = args.securityGroupName;
                // The lookup fails the plan when no such group exists; Nova takes the group by name.
                this.securityGroupName = openstack.networking
                    .getSecGroupOutput({ name: wanted }, parent)
                    .apply((group) => group.name ?? wanted);
            } else {
                this.securityGroupName = this.egressOnlyGroup(name, args.namePrefix, undefined).name;
            }
        }
        this.registerOutputs({ networkId: this.networkId, securityGroupName: this.securityGroupName });
    }

    /** A group without OpenStack's default rules: all egress, no ingress but optional SSH. */
    private egressOnlyGroup(name: string, namePrefix: string, sshIngressCidr: string | undefined): openstack.networking.SecGroup {
        const parent = { parent: this };
        const group = new openstack.networking.SecGroup(
            `${name}-secgroup`,
            { name: `${namePrefix}-runners`, description: "GitHub runners: egress only", deleteDefaultRules: true },
            parent,
        );
        for (const ethertype of ["IPv4", "IPv6"]) {
            new openstack.networking.SecGroupRule(
                `${name}-egress-${ethertype.toLowerCase()}`,
                { securityGroupId: group.id, direction: "egress", ethertype },
                parent,
            );
        }
        if (sshIngressCidr !== undefined) {
            new openstack.networking.SecGroupRule(
                `${name}-ssh-in`,
                {
                    securityGroupId: group.id,
                    direction: "ingress",
                    ethertype: "IPv4",
                    protocol: "tcp",
                    portRangeMin: 22,
                    portRangeMax: 22,
                    remoteIpPrefix: sshIngressCidr,
                },
                parent,
            );
        }
        return group;
    }
}
