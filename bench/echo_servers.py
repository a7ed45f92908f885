"""Starting the echo servers a measuring script compares: a free loopback port, a wait until it listens, the process
that serves (under run.sh or an env prefix), and a stop that takes its whole session with it."""
import os
import signal
import socket
import subprocess
import time


def parse(servers, client, fail):
    """The NAME=COMMAND arguments as (name, command) pairs, once the load generator is known to be there."""
    if not os.access(client, os.X_OK):
        fail(f"load generator {client} is missing; build it with: dotnet build IoMux.slnx -c Release")
    specs = []
    for spec in servers:
        name, sep, command = spec.partition("=")
        if not sep or not name or "{port}" not in command:
            fail(f"server '{spec}' is not NAME=COMMAND with {{port}} in the command")
        specs.append((name, command))
    return specs


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(name, command, fail, env=None):
    """Runs COMMAND with {port} filled in; returns (process, port, pid of the serving process) once it listens."""
    port = free_port()
    process = subprocess.Popen(command.format(port=port), shell=True, start_new_session=True, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):
        if process.poll() is not None:
            fail(f"server '{name}' exited with {process.returncode} before listening; run its command by hand to see why")
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return process, port, serving_pid(process.pid)
        except OSError:
            time.sleep(0.05)
    stop(process)
    fail(f"server '{name}' did not listen on 127.0.0.1:{port} within 20 s")


def serving_pid(shell_pid):
    """The shell's deepest descendant (run.sh and env prefixes exec or fork once)."""
    pid = shell_pid
    while True:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        if not children:
            return pid
        pid = int(children[0])


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # it already exited
