/**
 * Which OpenStack resources the harness models: the Pulumi token (pulumi-openstack v3.15.2
 * provider/resources.go maps each Terraform resource to it) and the Terraform resource of
 * terraform-provider-openstack v1.54.1 behind it (openstack/provider.go ResourcesMap names the
 * constructor).
 */
export interface ModelledResource {
    token: string;
    terraformName: string;
    /** Go constructor returning the *schema.Resource, as openstack/provider.go's ResourcesMap calls it. */
    constructor: string;
}

export const MODELLED_RESOURCES: readonly ModelledResource[] = [
    { token: "openstack:compute/instance:Instance", terraformName: "openstack_compute_instance_v2", constructor: "resourceComputeInstanceV2" },
    { token: "openstack:compute/flavor:Flavor", terraformName: "openstack_compute_flavor_v2", constructor: "resourceComputeFlavorV2" },
    { token: "openstack:compute/flavorAccess:FlavorAccess", terraformName: "openstack_compute_flavor_access_v2", constructor: "resourceComputeFlavorAccessV2" },
    { token: "openstack:compute/serverGroup:ServerGroup", terraformName: "openstack_compute_servergroup_v2", constructor: "resourceComputeServerGroupV2" },
    { token: "openstack:compute/keypair:Keypair", terraformName: "openstack_compute_keypair_v2", constructor: "resourceComputeKeypairV2" },
    { token: "openstack:networking/network:Network", terraformName: "openstack_networking_network_v2", constructor: "resourceNetworkingNetworkV2" },
    { token: "openstack:networking/subnet:Subnet", terraformName: "openstack_networking_subnet_v2", constructor: "resourceNetworkingSubnetV2" },
    { token: "openstack:networking/router:Router", terraformName: "openstack_networking_router_v2", constructor: "resourceNetworkingRouterV2" },
    {
        token: "openstack:networking/routerInterface:RouterInterface",
        terraformName: "openstack_networking_router_interface_v2",
        constructor: "resourceNetworkingRouterInterfaceV2",
    },
    { token: "openstack:networking/secGroup:SecGroup", terraformName: "openstack_networking_secgroup_v2", constructor: "resourceNetworkingSecGroupV2" },
    {
        token: "openstack:networking/secGroupRule:SecGroupRule",
        terraformName: "openstack_networking_secgroup_rule_v2",
        constructor: "resourceNetworkingSecGroupRuleV2",
    },
    { token: "openstack:images/image:Image", terraformName: "openstack_images_image_v2", constructor: "resourceImagesImageV2" },
    { token: "openstack:blockstorage/volume:Volume", terraformName: "openstack_blockstorage_volume_v3", constructor: "resourceBlockStorageVolumeV3" },
];
