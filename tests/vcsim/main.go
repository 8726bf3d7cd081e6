// vcsim for trunkline's tests: govmomi's vCenter simulator (simulator.VPX()) serving one datacenter
// with a distributed switch (an uplink port group, uplink1/uplink2, vmnic1 of every host as uplink1),
// hosts with vmnic0 (vSwitch0, management) and vmnic1, and VMs on a distributed port group.
//
// Build: GOPATH=/usr/share/gocode GO111MODULE=off go build -o vcsim main.go (govmomi 0.24.2, Debian).
// It prints "VCSIM_URL <url>" once it answers, and serves until SIGTERM/SIGINT.
//
// Two gaps of this simulator version are filled here, before serving, because its API cannot do it:
// HostNetworkSystem.AddPortGroup edits a copy of the host's network (so host.config.network would never
// show added port groups: here both are one object, as on ESXi), and a switch's uplink names, MTU,
// uplink port group and the hosts' proxy switches (which pnic is which uplink) are never filled in.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (port 0: any free port)")
	user := flag.String("username", "user", "the only user name accepted")
	pass := flag.String("password", "pass", "the only password accepted")
	cert := flag.String("tls-cert", "", "serve HTTPS with this PEM certificate (with -tls-key)")
	key := flag.String("tls-key", "", "PEM private key of -tls-cert")
	m := simulator.VPX()
	flag.IntVar(&m.Host, "standalone-hosts", m.Host, "standalone hosts")
	flag.IntVar(&m.Cluster, "clusters", m.Cluster, "clusters")
	flag.IntVar(&m.ClusterHost, "cluster-hosts", m.ClusterHost, "hosts per cluster")
	flag.IntVar(&m.Machine, "vms", m.Machine, "VMs per standalone host and per cluster")
	flag.IntVar(&m.Portgroup, "portgroups", m.Portgroup, "distributed port groups (besides the uplink port group)")
	flag.IntVar(&m.OpaqueNetwork, "opaque-networks", m.OpaqueNetwork, "NSX (nsx.LogicalSwitch) opaque networks")
	uuid := flag.String("instance-uuid", "", "AboutInfo.instanceUuid (default: vcsim's constant one)")
	flag.Parse()
	if *uuid != "" {
		m.ServiceContent.About.InstanceUuid = *uuid
	}

	if err := m.Create(); err != nil {
		log.Fatal(err)
	}
	defer m.Remove()
	fillGaps()

	m.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*user, *pass)}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			log.Fatal(err)
		}
		m.Service.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	}
	s := m.Service.NewServer()
	defer s.Close()
	u := *s.URL
	u.User = nil
	fmt.Printf("VCSIM_URL %s\n", u.String())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}

func fillGaps() {
	for _, e := range simulator.Map.All("HostSystem") {
		h := e.(*simulator.HostSystem)
		ns := simulator.Map.Get(*h.ConfigManager.NetworkSystem).(*simulator.HostNetworkSystem)
		ns.NetworkInfo = h.Config.Network
	}
	for _, e := range simulator.Map.All("DistributedVirtualSwitch") {
		dvs := e.(*simulator.DistributedVirtualSwitch)
		config := dvs.Config.(*types.VMwareDVSConfigInfo)
		config.MaxMtu = 9000
		config.UplinkPortPolicy = &types.DVSNameArrayUplinkPortPolicy{UplinkPortName: []string{"uplink1", "uplink2"}}
		var uplinkKey string
		for _, ref := range dvs.Portgroup {
			pg := simulator.Map.Get(ref).(*simulator.DistributedVirtualPortgroup)
			if strings.Contains(pg.Name, "-DVUplinks") {
				pg.Config.Uplink = types.NewBool(true)
				config.UplinkPortgroup = []types.ManagedObjectReference{ref}
				uplinkKey = pg.Key
			}
		}
		for i, ref := range dvs.Summary.HostMember {
			h := simulator.Map.Get(ref).(*simulator.HostSystem)
			port := strconv.Itoa(100 + 2*i)
			h.Config.Network.ProxySwitch = []types.HostProxySwitch{{
				DvsUuid:    dvs.Uuid,
				DvsName:    dvs.Name,
				Key:        dvs.Uuid,
				NumPorts:   512,
				Mtu:        9000,
				UplinkPort: []types.KeyValue{{Key: port, Value: "uplink1"}, {Key: strconv.Itoa(101 + 2*i), Value: "uplink2"}},
				Pnic:       []string{"key-vim.host.PhysicalNic-vmnic1"},
				Spec: types.HostProxySwitchSpec{Backing: &types.DistributedVirtualSwitchHostMemberPnicBacking{
					PnicSpec: []types.DistributedVirtualSwitchHostMemberPnicSpec{
						{PnicDevice: "vmnic1", UplinkPortKey: port, UplinkPortgroupKey: uplinkKey},
					},
				}},
			}}
		}
	}
}
