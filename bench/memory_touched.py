"""The memory a single-stepped trace touches: each instruction's memory operands, decoded by capstone, computed from the
registers recorded with the step (bench/probes/steptrace.c), and counted as distinct cache lines and pages per
stretch between two system calls. What is not an access is left out (lea, nop, prefetch); push, pop, call, ret and
leave count their stack slot (capstone names every other operand, a string instruction's too)."""
import collections

try:
    import capstone
    from capstone import x86
except ImportError:  # the caller says what to install
    capstone = None

LINE, PAGE = 64, 4096
# The registers in a step's record, after its address and call number.
REGISTERS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
             "r15", "fs_base"]
SLOT = {name: 2 + i for i, name in enumerate(REGISTERS)}
for wide, narrow in [("rax", "eax"), ("rbx", "ebx"), ("rcx", "ecx"), ("rdx", "edx"), ("rsi", "esi"),
                     ("rdi", "edi"), ("rbp", "ebp"), ("rsp", "esp")] + [(f"r{n}", f"r{n}d") for n in range(8, 16)]:
    SLOT[narrow] = SLOT[wide]
NOT_ACCESSES = ("nop", "prefetch", "endbr")  # and lea, by its whole name (leave is an access)
STACK_WRITES = {"push", "call"}
STACK_READS = {"pop", "ret"}
KINDS = ("code", "stack", "data")
MASK = (1 << 64) - 1


def available():
    return capstone is not None


class Accesses:
    """How each traced instruction computes the addresses it touches, read from the process while it lives."""

    def __init__(self, pid, addresses):
        disassembler = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
        disassembler.detail = True
        self.forms = {}
        with open(f"/proc/{pid}/mem", "rb") as memory:
            for address in addresses:
                try:
                    memory.seek(address)
                    code = memory.read(16)
                except (OSError, ValueError):
                    continue  # code the runtime has since freed: its steps count as code only
                instruction = next(disassembler.disasm(code, address, 1), None)
                if instruction is not None:
                    self.forms[address] = self._forms(instruction)

    @staticmethod
    def _forms(instruction):
        """(base slot or 'rip', index slot, scale, displacement, fs) per access."""
        mnemonic = instruction.mnemonic
        if mnemonic == "lea" or mnemonic.startswith(NOT_ACCESSES):
            return []
        forms = []
        if mnemonic in STACK_WRITES:
            forms.append((SLOT["rsp"], None, 1, -8, False))
        elif mnemonic in STACK_READS:
            forms.append((SLOT["rsp"], None, 1, 0, False))
        elif mnemonic == "leave":
            forms.append((SLOT["rbp"], None, 1, 0, False))
        for operand in instruction.operands:
            if operand.type != x86.X86_OP_MEM:
                continue
            mem = operand.mem
            base = None
            if mem.base != 0:
                name = instruction.reg_name(mem.base)
                base = "rip" if name == "rip" else SLOT.get(name)
            index = SLOT.get(instruction.reg_name(mem.index)) if mem.index != 0 else None
            fs = mem.segment != 0 and instruction.reg_name(mem.segment) == "fs"
            displacement = mem.disp + (instruction.size if base == "rip" else 0)
            forms.append((base, index, mem.scale, displacement, fs))
        return forms

    def addresses(self, record):
        """The data addresses the instruction of this step touches."""
        rip = record[0]
        for base, index, scale, displacement, fs in self.forms.get(rip, ()):
            address = displacement
            if base == "rip":
                address += rip
            elif base is not None:
                address += record[base]
            if index is not None:
                address += record[index] * scale
            if fs:
                address += record[SLOT["fs_base"]]
            yield address & MASK


def stretches(records, low, high, accesses):
    """
    Per pair of calls (after, before): times seen, the summed distinct lines and pages of each kind, and the summed
    data pages by the address of the instruction that touched each first in its stretch.
    """
    found = collections.defaultdict(lambda: [0, collections.Counter(), collections.Counter()])
    previous = None
    touched = {kind: (set(), set()) for kind in KINDS}
    first_touch = {}
    for i in range(low, high):
        record = records[i]
        if record[1] >= 0:
            if previous is not None:
                entry = found[(records[previous][1], record[1])]
                entry[0] += 1
                for kind, (lines, pages) in touched.items():
                    entry[1][kind, "lines"] += len(lines)
                    entry[1][kind, "pages"] += len(pages)
                entry[2].update(first_touch.values())
            previous = i
            touched = {kind: (set(), set()) for kind in KINDS}
            first_touch = {}
        rip = record[0]
        touched["code"][0].add(rip // LINE)
        touched["code"][1].add(rip // PAGE)
        stack = record[SLOT["rsp"]]
        for address in accesses.addresses(record):
            kind = "stack" if abs(address - stack) < (1 << 20) else "data"
            touched[kind][0].add(address // LINE)
            touched[kind][1].add(address // PAGE)
            if kind == "data":
                first_touch.setdefault(address // PAGE, rip)
    return found
