//! The Kubernetes objects behind the simulated pods, as cAdvisor, the kubelet and
//! kube-state-metrics expose them, and node_exporter's further host series: what the
//! kube-prometheus dashboards and recording rules (`deploy/demo/rules/kube-prometheus.yml`) read.
//! Names, label names and label values follow the upstream exporters.

use crate::metrics::{labels, InfraMetrics, Labels};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
/// Cores and memory of every simulated node (capacity; allocatable keeps a little back).
pub const NODE_CORES: f64 = 4.0;
pub const NODE_MEMORY: f64 = 32.0 * GIB;

/// One simulated pod (one container each) at this tick.
pub struct Pod<'a> {
    pub namespace: &'a str,
    /// `<deployment>-<replicaset hash>-<pod hash>`, as a Deployment names its pods.
    pub name: String,
    pub container: &'a str,
    pub node: &'a str,
    /// Working set, bytes.
    pub memory: f64,
    pub memory_limit: f64,
    /// Share of CFS periods throttled now.
    pub throttled: f64,
    /// Traffic now, 0 (idle) to 1, for network and disk.
    pub busy: f64,
}

impl Pod<'_> {
    /// The ReplicaSet that owns the pod: its name without the last `-hash`.
    pub fn replicaset(&self) -> &str {
        self.name.rsplit_once('-').map_or(&self.name, |(rs, _)| rs)
    }

    /// cAdvisor's labels, the same on every `container_*` series of the container so they join
    /// one to one; `image` is what kube-prometheus' rules filter on (`image!=""`).
    pub fn container_labels(&self) -> Labels {
        labels(&[
            ("namespace", self.namespace),
            ("pod", &self.name),
            ("container", self.container),
            (
                "image",
                &format!("ghcr.io/octollm/{}:1.0.0", self.container),
            ),
        ])
    }

    /// CPU request and limit (cores), memory request and limit (bytes).
    fn resources(&self) -> [(&'static str, &'static str, f64, f64); 2] {
        let cpu_request = if self.container == "orchestrator" {
            0.5
        } else {
            0.25
        };
        [
            ("cpu", "core", cpu_request, 1.0),
            ("memory", "byte", self.memory_limit / 2.0, self.memory_limit),
        ]
    }
}

/// The pod's further cAdvisor series and its kube-state-metrics objects.
pub fn export_pod(infra: &InfraMetrics, p: &Pod, dt_s: f64) {
    let cl = p.container_labels();
    infra
        .gauge("container_memory_rss")
        .get_or_create(&cl)
        .set(p.memory * 0.8);
    infra
        .gauge("container_memory_cache")
        .get_or_create(&cl)
        .set(p.memory * 0.15);
    infra
        .gauge("container_memory_swap")
        .get_or_create(&cl)
        .set(0.0);
    // 100 ms CFS periods.
    let periods = 10.0 * dt_s;
    infra
        .counter("container_cpu_cfs_periods")
        .get_or_create(&cl)
        .inc_by(periods);
    infra
        .counter("container_cpu_cfs_throttled_periods")
        .get_or_create(&cl)
        .inc_by(periods * p.throttled);
    let mut disk = cl.clone();
    disk.push(("device".into(), "/dev/vda".into()));
    let (reads, writes) = ((2.0 + 40.0 * p.busy) * dt_s, (5.0 + 20.0 * p.busy) * dt_s);
    infra
        .counter("container_fs_reads")
        .get_or_create(&disk)
        .inc_by(reads);
    infra
        .counter("container_fs_writes")
        .get_or_create(&disk)
        .inc_by(writes);
    infra
        .counter("container_fs_reads_bytes")
        .get_or_create(&disk)
        .inc_by(reads * 4096.0);
    infra
        .counter("container_fs_writes_bytes")
        .get_or_create(&disk)
        .inc_by(writes * 16384.0);
    // Network is the pod sandbox's: no container label, as cAdvisor reports it.
    let net = labels(&[
        ("namespace", p.namespace),
        ("pod", &p.name),
        ("interface", "eth0"),
    ]);
    let received = (4_000.0 + 200_000.0 * p.busy) * dt_s;
    let sent = received * 1.6;
    for (family, value) in [
        ("container_network_receive_bytes", received),
        ("container_network_transmit_bytes", sent),
        ("container_network_receive_packets", received / 900.0),
        ("container_network_transmit_packets", sent / 1100.0),
        ("container_network_receive_packets_dropped", received / 9e6),
        ("container_network_transmit_packets_dropped", sent / 2e7),
    ] {
        infra.counter(family).get_or_create(&net).inc_by(value);
    }

    let rs = p.replicaset();
    infra
        .gauge("kube_pod_info")
        .get_or_create(&labels(&[
            ("namespace", p.namespace),
            ("pod", &p.name),
            ("node", p.node),
            ("host_network", "false"),
            ("created_by_kind", "ReplicaSet"),
            ("created_by_name", rs),
        ]))
        .set(1.0);
    infra
        .gauge("kube_pod_owner")
        .get_or_create(&labels(&[
            ("namespace", p.namespace),
            ("pod", &p.name),
            ("owner_kind", "ReplicaSet"),
            ("owner_name", rs),
            ("owner_is_controller", "true"),
        ]))
        .set(1.0);
    infra
        .gauge("kube_replicaset_owner")
        .get_or_create(&labels(&[
            ("namespace", p.namespace),
            ("replicaset", rs),
            ("owner_kind", "Deployment"),
            ("owner_name", p.container),
            ("owner_is_controller", "true"),
        ]))
        .set(1.0);
    for (resource, unit, request, limit) in p.resources() {
        let l = labels(&[
            ("namespace", p.namespace),
            ("pod", &p.name),
            ("container", p.container),
            ("node", p.node),
            ("resource", resource),
            ("unit", unit),
        ]);
        infra
            .gauge("kube_pod_container_resource_requests")
            .get_or_create(&l)
            .set(request);
        infra
            .gauge("kube_pod_container_resource_limits")
            .get_or_create(&l)
            .set(limit);
    }
}

/// The namespace's phase and its resource quota (hard, and used: what its pods request).
pub fn export_namespace(infra: &InfraMetrics, namespace: &str, pods: &[Pod]) {
    for phase in ["Active", "Terminating"] {
        infra
            .gauge("kube_namespace_status_phase")
            .get_or_create(&labels(&[("namespace", namespace), ("phase", phase)]))
            .set(if phase == "Active" { 1.0 } else { 0.0 });
    }
    let sum = |i: usize, limit: bool| -> f64 {
        pods.iter()
            .map(|p| {
                let r = p.resources()[i];
                if limit {
                    r.3
                } else {
                    r.2
                }
            })
            .sum()
    };
    for (resource, hard, used) in [
        ("requests.cpu", 8.0, sum(0, false)),
        ("limits.cpu", 16.0, sum(0, true)),
        ("requests.memory", 16.0 * GIB, sum(1, false)),
        ("limits.memory", 32.0 * GIB, sum(1, true)),
    ] {
        for (kind, value) in [("hard", hard), ("used", used)] {
            infra
                .gauge("kube_resourcequota")
                .get_or_create(&labels(&[
                    ("namespace", namespace),
                    ("resourcequota", "octollm-quota"),
                    ("resource", resource),
                    ("type", kind),
                ]))
                .set(value);
        }
    }
}

/// A node as kube-state-metrics and its kubelet see it, and node_exporter's host series
/// beyond CPU, memory and filesystem (those stay in the engine, where incidents move them).
/// `load` is 0..1.
pub fn export_node(
    infra: &InfraMetrics,
    node: &str,
    pods: usize,
    load: f64,
    dt_s: f64,
    now_ms: i64,
) {
    let n = labels(&[("node", node)]);
    infra
        .gauge("kube_node_info")
        .get_or_create(&labels(&[
            ("node", node),
            ("kernel_version", "6.1.0-27-cloud-amd64"),
            ("os_image", "Debian GNU/Linux 12 (bookworm)"),
            ("container_runtime_version", "containerd://1.7.22"),
            ("kubelet_version", "v1.31.2"),
        ]))
        .set(1.0);
    for (resource, unit, capacity, allocatable) in [
        ("cpu", "core", NODE_CORES, NODE_CORES - 0.2),
        ("memory", "byte", NODE_MEMORY, NODE_MEMORY - GIB),
        ("pods", "integer", 110.0, 110.0),
    ] {
        let l = labels(&[("node", node), ("resource", resource), ("unit", unit)]);
        infra
            .gauge("kube_node_status_capacity")
            .get_or_create(&l)
            .set(capacity);
        infra
            .gauge("kube_node_status_allocatable")
            .get_or_create(&l)
            .set(allocatable);
    }
    infra
        .gauge("kubelet_running_pods")
        .get_or_create(&n)
        .set(pods as f64);

    // node_exporter: `instance` is the node, as kube-prometheus relabels it.
    let host = labels(&[("node", node), ("instance", node)]);
    infra
        .gauge("node_uname_info")
        .get_or_create(&labels(&[
            ("node", node),
            ("instance", node),
            ("nodename", node),
            ("sysname", "Linux"),
            ("release", "6.1.0-27-cloud-amd64"),
            ("machine", "x86_64"),
            ("domainname", "(none)"),
            (
                "version",
                "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)",
            ),
        ]))
        .set(1.0);
    infra
        .gauge("node_exporter_build_info")
        .get_or_create(&labels(&[
            ("node", node),
            ("instance", node),
            ("version", "1.8.2"),
            ("goos", "linux"),
            ("goarch", "amd64"),
        ]))
        .set(1.0);
    infra
        .gauge("node_time_seconds")
        .get_or_create(&host)
        .set(now_ms as f64 / 1000.0);
    for (family, value) in [
        ("node_load1", NODE_CORES * load),
        ("node_load5", NODE_CORES * load * 0.95),
        ("node_load15", NODE_CORES * load * 0.9),
        ("node_memory_Buffers_bytes", NODE_MEMORY * 0.02),
        ("node_memory_Cached_bytes", NODE_MEMORY * 0.25),
        (
            "node_memory_MemFree_bytes",
            NODE_MEMORY * (0.3 - 0.2 * load),
        ),
        ("node_memory_Slab_bytes", NODE_MEMORY * 0.01),
    ] {
        infra.gauge(family).get_or_create(&host).set(value);
    }
    for (family, per_s) in [
        ("node_vmstat_pgmajfault", 2.0),
        ("node_netstat_Tcp_OutSegs", 3_000.0 + 20_000.0 * load),
        ("node_netstat_Tcp_RetransSegs", 3.0 + 30.0 * load),
        ("node_netstat_TcpExt_TCPSynRetrans", 0.5),
    ] {
        infra
            .gauge(family)
            .get_or_create(&host)
            .inc_by(per_s * dt_s);
    }
    let disk = labels(&[("node", node), ("instance", node), ("device", "vda")]);
    for (family, per_s) in [
        ("node_disk_io_time_seconds", 0.05 + 0.3 * load),
        ("node_disk_io_time_weighted_seconds", 0.08 + 0.6 * load),
        ("node_disk_read_bytes", 200_000.0 + 4e6 * load),
        ("node_disk_written_bytes", 500_000.0 + 2e6 * load),
    ] {
        infra
            .counter(family)
            .get_or_create(&disk)
            .inc_by(per_s * dt_s);
    }
    for device in ["eth0", "lo"] {
        let l = labels(&[("node", node), ("instance", node), ("device", device)]);
        let bytes = (1e5 + 5e6 * load) * dt_s;
        for (family, value) in [
            ("node_network_receive_bytes", bytes),
            ("node_network_transmit_bytes", bytes * 1.3),
            ("node_network_receive_drop", bytes / 5e7),
            ("node_network_transmit_drop", 0.0),
        ] {
            infra.counter(family).get_or_create(&l).inc_by(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Exporter;

    fn pod<'a>(namespace: &'a str, name: &str, node: &'a str) -> Pod<'a> {
        Pod {
            namespace,
            name: name.to_string(),
            container: "planner",
            node,
            memory: GIB,
            memory_limit: 2.0 * GIB,
            throttled: 0.1,
            busy: 0.5,
        }
    }

    #[test]
    fn a_deployments_pod_is_owned_by_its_replicaset_and_the_replicaset_by_the_deployment() {
        let infra = InfraMetrics::default();
        let p = pod("octollm-prod", "planner-1a2b3c4d-9f8e", "node-1");
        assert_eq!(p.replicaset(), "planner-1a2b3c4d");
        export_pod(&infra, &p, 1.0);
        let ksm = infra.render_for(Exporter::KubeStateMetrics);
        assert!(ksm.contains(r#"kube_pod_owner{namespace="octollm-prod",pod="planner-1a2b3c4d-9f8e",owner_kind="ReplicaSet",owner_name="planner-1a2b3c4d",owner_is_controller="true"} 1"#), "{ksm}");
        assert!(ksm.contains(r#"kube_replicaset_owner{namespace="octollm-prod",replicaset="planner-1a2b3c4d",owner_kind="Deployment",owner_name="planner",owner_is_controller="true"} 1"#), "{ksm}");
        assert!(
            ksm.contains(r#"node="node-1",host_network="false""#),
            "{ksm}"
        );
        let cadvisor = infra.render_for(Exporter::Cadvisor);
        assert!(
            cadvisor.contains(r#"image="ghcr.io/octollm/planner:1.0.0""#),
            "{cadvisor}"
        );
        assert!(cadvisor.contains(r#"container_network_receive_bytes_total{namespace="octollm-prod",pod="planner-1a2b3c4d-9f8e",interface="eth0"} 104000"#), "{cadvisor}");
    }

    #[test]
    fn the_quota_in_use_is_what_the_namespaces_pods_request() {
        let infra = InfraMetrics::default();
        let pods = [pod("ns", "a-1-1", "node-0"), pod("ns", "b-1-1", "node-0")];
        export_namespace(&infra, "ns", &pods);
        let ksm = infra.render_for(Exporter::KubeStateMetrics);
        assert!(ksm.contains(r#"kube_resourcequota{namespace="ns",resourcequota="octollm-quota",resource="requests.cpu",type="used"} 0.5"#), "{ksm}");
        assert!(
            ksm.contains(r#"resource="limits.memory",type="used"} 4294967296"#),
            "{ksm}"
        );
        assert!(ksm.contains(r#"kube_namespace_status_phase{namespace="ns",phase="Active"} 1"#));
    }

    #[test]
    fn a_node_reports_its_pods_and_its_host_series_carry_the_node_as_instance() {
        let infra = InfraMetrics::default();
        export_node(&infra, "node-2", 8, 0.5, 1.0, 1_700_000_000_000);
        assert!(infra
            .render_for(Exporter::Kubelet)
            .contains(r#"kubelet_running_pods{node="node-2"} 8"#));
        let node = infra.render_for(Exporter::Node);
        assert!(
            node.contains(r#"node_load1{node="node-2",instance="node-2"} 2"#),
            "{node}"
        );
        assert!(
            node.contains(r#"node_time_seconds{node="node-2",instance="node-2"} 1700000000"#),
            "{node}"
        );
    }
}
