/**
 * What a real create returns for the computed attributes of each modelled resource, shaped as the
 * Terraform read functions of terraform-provider-openstack v1.54.1 set them (d.Set in each
 * resource_openstack_*.go Read) from the Nova / Neutron / Glance / Cinder responses, with realistic
 * sizes: ids are uuids (projects: 32 hex digits, as Keystone issues them), times RFC 3339, MACs
 * in Neutron's fa:16:3e OUI. The in-memory cloud replaces the world-derived ones (names of the
 * referenced image and flavor, the network's id, the security groups) with what its world holds.
 *
 * Templates: {{uuid}} a new uuid, {{hex32}} 32 hex digits, {{now}} the current time, {{ipv4}} an
 * address from the subnet's range, {{mac}} a Neutron MAC, {{project}} the project id, {{region}}.
 */
import type { WireObject } from "../pulumi-values";

export const COMPUTED_EXAMPLES: Record<string, WireObject> = {
    "openstack:compute/instance:Instance": {
        region: "{{region}}",
        imageId: "{{uuid}}",
        imageName: "ubuntu-24.04-runner",
        flavorId: "{{uuid}}",
        flavorName: "gh-runner-small",
        securityGroups: ["default"],
        availabilityZone: "nova",
        networks: [
            {
                uuid: "{{uuid}}",
                name: "gh-runners-net",
                port: "",
                fixedIpV4: "{{ipv4}}",
                fixedIpV6: "",
                floatingIp: "",
                mac: "{{mac}}",
                accessNetwork: false,
            },
        ],
        accessIpV4: "{{ipv4}}",
        accessIpV6: "",
        allMetadata: {},
        allTags: [],
        created: "{{now}}",
        updated: "{{now}}",
    },
    "openstack:compute/flavor:Flavor": {
        region: "{{region}}",
        flavorId: "{{uuid}}",
        extraSpecs: {},
    },
    "openstack:compute/flavorAccess:FlavorAccess": {
        region: "{{region}}",
    },
    "openstack:compute/serverGroup:ServerGroup": {
        region: "{{region}}",
        rules: { maxServerPerHost: 0 },
        members: [],
    },
    "openstack:compute/keypair:Keypair": {
        region: "{{region}}",
        publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2mA0eFqS1xPZ3GkEw9yVZl6hNq0T1r4m7cB2dXpQ5 Generated-by-Nova",
        privateKey: "",
        fingerprint: "3b:9f:4e:12:7c:0a:d5:61:88:2e:b7:f4:19:6c:a0:53",
        userId: "{{hex32}}",
    },
    "openstack:networking/network:Network": {
        region: "{{region}}",
        adminStateUp: true,
        shared: false,
        external: false,
        tenantId: "{{project}}",
        segments: [],
        availabilityZoneHints: [],
        transparentVlan: false,
        portSecurityEnabled: true,
        mtu: 1450,
        dnsDomain: "",
        qosPolicyId: "",
        allTags: [],
    },
    "openstack:networking/subnet:Subnet": {
        region: "{{region}}",
        cidr: "10.42.0.0/24",
        tenantId: "{{project}}",
        allocationPoolsCollection: [{ start: "10.42.0.2", end: "10.42.0.254" }],
        allocationPools: [{ start: "10.42.0.2", end: "10.42.0.254" }],
        gatewayIp: "10.42.0.1",
        ipv6AddressMode: "",
        ipv6RaMode: "",
        serviceTypes: [],
        allTags: [],
    },
    "openstack:networking/router:Router": {
        region: "{{region}}",
        adminStateUp: true,
        distributed: false,
        externalGateway: "{{uuid}}",
        externalNetworkId: "{{uuid}}",
        enableSnat: true,
        externalFixedIps: [{ subnetId: "{{uuid}}", ipAddress: "203.0.113.24" }],
        tenantId: "{{project}}",
        availabilityZoneHints: [],
        allTags: [],
    },
    "openstack:networking/routerInterface:RouterInterface": {
        region: "{{region}}",
        subnetId: "{{uuid}}",
        portId: "{{uuid}}",
    },
    "openstack:networking/secGroup:SecGroup": {
        region: "{{region}}",
        description: "",
        tenantId: "{{project}}",
        allTags: [],
    },
    "openstack:networking/secGroupRule:SecGroupRule": {
        region: "{{region}}",
        portRangeMin: 0,
        portRangeMax: 0,
        protocol: "",
        remoteGroupId: "",
        remoteIpPrefix: "",
        tenantId: "{{project}}",
    },
    "openstack:images/image:Image": {
        region: "{{region}}",
        file: "/v2/images/{{id}}/file",
        imageId: "",
        properties: {
            os_hash_algo: "sha512",
            os_hash_value:
                "0f4b3bb0c3e0e0c2c8b8e2a1e5b6f1d4a7c9e2b5d8f1a4c7e0b3d6f9a2c5e8b1d4f7a0c3e6b9d2f5a8c1e4b7d0f3a6c9e2b5d8f1a4c7e0b3d6f9a2c5e8b1",
            os_hidden: "false",
            stores: "rbd",
        },
        checksum: "5d41402abc4b2a76b9719d911017c592",
        createdAt: "{{now}}",
        metadata: {},
        owner: "{{project}}",
        schema: "/v2/schemas/image",
        sizeBytes: 2361393152,
        status: "active",
        updateAt: "{{now}}",
        updatedAt: "{{now}}",
    },
    "openstack:blockstorage/volume:Volume": {
        region: "{{region}}",
        availabilityZone: "nova",
        metadata: {},
        volumeType: "__DEFAULT__",
        attachments: [],
    },
};
