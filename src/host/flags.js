export function defaultFlags() {
    return {
        all: false,
        listening: false,
        tcp: false,
        udp: false,
        udplite: false,
        raw: false,
        unix: false,
        inet4: false,
        inet6: false,
        numeric: false,
        numericHosts: false,
        numericPorts: false,
        numericUsers: false,
        program: false,
        executable: false,
        extend: 0,
        timers: false,
        wide: false,
        fqdn: false,
    };
}
/** Whether hosts, ports or users print as numbers. */
export function numericHosts(f) {
    return f.numeric || f.numericHosts;
}
export function numericPorts(f) {
    return f.numeric || f.numericPorts;
}
export function numericUsers(f) {
    return f.numeric || f.numericUsers;
}
