// The seed's two example filters (S3 tools/bpf/trace/filter_ex1.c and filter_ex2.c, GPL-2.0,
// Alexei Starovoitov 2013), verbatim: sample input for the 2013 assembler and the golden images.

/** filter_ex1.c [S3:L3849-L3899]: prints skb and dev for the loopback device ("lo"). */
export const FILTER_EX1_C = `#include <linux/bpf.h>

struct bpf_insn bpf_insns_filter[] = {
// registers to save R6 R7
// allocate 24 bytes stack
	BPF_INSN_ST_IMM(BPF_W, __fp__, -20, 28524), // *(uint32*)(__fp__, -20)=28524
	BPF_INSN_LD(BPF_DW, R6, R1, 104), // R6=*(uint64*)(R1, 104)
	BPF_INSN_ALU(BPF_MOV, R1, R6), // R1 = R6
	BPF_INSN_ALU_IMM(BPF_ADD, R1, 32), // R1 += 32
	BPF_INSN_CALL(1), // R0=bpf_load_pointer();
	BPF_INSN_ALU(BPF_MOV, R7, R0), // R7 = R0
	BPF_INSN_ALU_IMM(BPF_MOV, R3, 2), // R3 = 2
	BPF_INSN_ALU(BPF_MOV, R2, __fp__), // R2 = __fp__
	BPF_INSN_ALU_IMM(BPF_ADD, R2, -20), // R2 += -20
	BPF_INSN_ALU(BPF_MOV, R1, R7), // R1 = R7
	BPF_INSN_CALL(18), // R0=bpf_memcmp();
	BPF_INSN_JUMP_IMM(BPF_JNE, R0, 0, 11), // if (R0 != 0) goto LabelL5
	BPF_INSN_ST_IMM(BPF_W, __fp__, -16, 543320947), // *(uint32*)(__fp__, -16)=543320947
	BPF_INSN_ST_IMM(BPF_W, __fp__, -12, 1679847461), // *(uint32*)(__fp__, -12)=1679847461
	BPF_INSN_ST_IMM(BPF_W, __fp__, -8, 622884453), // *(uint32*)(__fp__, -8)=622884453
	BPF_INSN_ST_IMM(BPF_W, __fp__, -4, 663664), // *(uint32*)(__fp__, -4)=663664
	BPF_INSN_ALU_IMM(BPF_MOV, R5, 0), // R5 = 0
	BPF_INSN_ALU(BPF_MOV, R4, R7), // R4 = R7
	BPF_INSN_ALU(BPF_MOV, R3, R6), // R3 = R6
	BPF_INSN_ALU_IMM(BPF_MOV, R2, 16), // R2 = 16
	BPF_INSN_ALU(BPF_MOV, R1, __fp__), // R1 = __fp__
	BPF_INSN_ALU_IMM(BPF_ADD, R1, -16), // R1 += -16
	BPF_INSN_CALL(29), // (void)bpf_trace_printk();
//LabelL5:
	BPF_INSN_RET(), // return void
};

const char func_strtab[46] = "\\0bpf_load_pointer\\0bpf_memcmp\\0bpf_trace_printk";

int main()
{
	char header[4] = "bpf";

	int insn_size = sizeof(bpf_insns_filter);
	int htab_size = 0;
	int strtab_size = sizeof(func_strtab);

	write(1, header, 4);
	write(1, &insn_size, 4);
	write(1, &htab_size, 4);
	write(1, &strtab_size, 4);

	write(1, bpf_insns_filter, insn_size);
	write(1, func_strtab, strtab_size);
	return 0;
}
`;

/** filter_ex2.c [S3:L3936-L4008]: counts packets per device in a hash table. */
export const FILTER_EX2_C = `#include <linux/bpf.h>

struct bpf_insn bpf_insns_filter[] = {
// registers to save R6 R7
// allocate 32 bytes stack
	BPF_INSN_ALU(BPF_MOV, R6, R1), // R6 = R1
	BPF_INSN_ST_IMM(BPF_DW, __fp__, -32, 0), // *(uint64*)(__fp__, -32)=0
	BPF_INSN_LD(BPF_DW, R1, R6, 104), // R1=*(uint64*)(R6, 104)
	BPF_INSN_ALU_IMM(BPF_ADD, R1, 32), // R1 += 32
	BPF_INSN_CALL(1), // R0=bpf_load_pointer();
	BPF_INSN_ALU(BPF_MOV, R7, R0), // R7 = R0
	BPF_INSN_ST(BPF_DW, __fp__, -32, R7), // *(uint64*)(__fp__, -32)=R7
	BPF_INSN_ALU(BPF_MOV, R3, __fp__), // R3 = __fp__
	BPF_INSN_ALU_IMM(BPF_ADD, R3, -32), // R3 += -32
	BPF_INSN_ALU_IMM(BPF_MOV, R2, 0), // R2 = 0
	BPF_INSN_ALU(BPF_MOV, R1, R6), // R1 = R6
	BPF_INSN_CALL(18), // R0=bpf_table_lookup();
	BPF_INSN_JUMP_IMM(BPF_JEQ, R0, 0, 18), // if (R0 == 0) goto LabelL2
	BPF_INSN_ALU_IMM(BPF_MOV, R1, 1), // R1 = 1
	BPF_INSN_XADD(BPF_DW, R0, 0, R1), // atomic (*(uint64*)R0, 0) += R1
	BPF_INSN_LD(BPF_DW, R1, R0, 0), // R1=*(uint64*)(R0, 0)
	BPF_INSN_ALU_IMM(BPF_MOD, R1, 10000), // R1=((uint64)R1)%((uint64)10000)
	BPF_INSN_JUMP_IMM(BPF_JNE, R1, 0, 21), // if (R1 != 0) goto LabelL6
	BPF_INSN_ST_IMM(BPF_W, __fp__, -24, 544630116), // *(uint32*)(__fp__, -24)=544630116
	BPF_INSN_ST_IMM(BPF_W, __fp__, -20, 538996773), // *(uint32*)(__fp__, -20)=538996773
	BPF_INSN_ST_IMM(BPF_W, __fp__, -16, 1601465200), // *(uint32*)(__fp__, -16)=1601465200
	BPF_INSN_ST_IMM(BPF_W, __fp__, -12, 544501347), // *(uint32*)(__fp__, -12)=544501347
	BPF_INSN_ST_IMM(BPF_W, __fp__, -8, 680997), // *(uint32*)(__fp__, -8)=680997
	BPF_INSN_ALU_IMM(BPF_MOV, R5, 0), // R5 = 0
	BPF_INSN_LD(BPF_DW, R4, R0, 0), // R4=*(uint64*)(R0, 0)
	BPF_INSN_ALU(BPF_MOV, R3, R7), // R3 = R7
	BPF_INSN_ALU_IMM(BPF_MOV, R2, 20), // R2 = 20
	BPF_INSN_ALU(BPF_MOV, R1, __fp__), // R1 = __fp__
	BPF_INSN_ALU_IMM(BPF_ADD, R1, -24), // R1 += -24
	BPF_INSN_CALL(35), // (void)bpf_trace_printk();
	BPF_INSN_JUMP(BPF_JA, 0, 0, 8), // goto LabelL6
//LabelL2:
	BPF_INSN_ST_IMM(BPF_DW, __fp__, -24, 0), // *(uint64*)(__fp__, -24)=0
	BPF_INSN_ALU(BPF_MOV, R4, __fp__), // R4 = __fp__
	BPF_INSN_ALU_IMM(BPF_ADD, R4, -24), // R4 += -24
	BPF_INSN_ALU(BPF_MOV, R3, __fp__), // R3 = __fp__
	BPF_INSN_ALU_IMM(BPF_ADD, R3, -32), // R3 += -32
	BPF_INSN_ALU_IMM(BPF_MOV, R2, 0), // R2 = 0
	BPF_INSN_ALU(BPF_MOV, R1, R6), // R1 = R6
	BPF_INSN_CALL(52), // R0=bpf_table_update();
//LabelL6:
	BPF_INSN_RET(), // return void
};

struct bpf_table bpf_filter_tables[] = {
	{BPF_TABLE_HASH, 8, 8, 4096, 0}
};

const char func_strtab[69] = "\\0bpf_load_pointer\\0bpf_table_lookup\\0bpf_trace_printk\\0bpf_table_update";

int main()
{
	char header[4] = "bpf";

	int insn_size = sizeof(bpf_insns_filter);
	int htab_size = sizeof(bpf_filter_tables);
	int strtab_size = sizeof(func_strtab);

	write(1, header, 4);
	write(1, &insn_size, 4);
	write(1, &htab_size, 4);
	write(1, &strtab_size, 4);

	write(1, bpf_insns_filter, insn_size);
	write(1, bpf_filter_tables, htab_size);
	write(1, func_strtab, strtab_size);
	return 0;
}
`;
