#!/usr/bin/perl
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# fidelity.pl - how many of strace's lines flap-recorder printed the same.
#   perl fidelity.pl STRACE_OUT FLAP_OUT [--diff N]
# STRACE_OUT is `strace -f -y -s 64 -o FILE` output ("PID text" lines),
# FLAP_OUT the text of `flap-recorder dump`. Prints one line:
#   STRACE_LINES STRICT_SAME NORMALISED_SAME
# and, with --diff N, then up to N of strace's lines that had no twin in the
# strict comparison, each followed by the flap-recorder line of the same call
# name nearest to it (for reading, not for counting).
#
# Lines are compared as multisets (a line of strace counts once for each
# equal line of flap-recorder), after normalising what differs between two
# runs of the same program by nature ("strict"):
#   - the pid prefix; pids and tids in the text (PID);
#   - durations, the column of " = ";
#   - addresses (0x and five or more hex digits: ADDR);
#   - socket and pipe inode numbers (socket:[INO]), TCP/UDP ports;
#   - the bytes getrandom returned and those read from /dev/urandom, the
#     numbers of sysinfo, times and timespecs, statfs's free blocks and inodes, the results of futex and how
#     often the same futex line comes (thread races), the parent pid of the first process (strace, or run), the
#     sizes of munmap that are multiples of 2 MiB (malloc trimming a new
#     arena to its alignment: they follow the random address);
#   - strace's <unfinished ...> / <... resumed> halves joined; its signal
#     (---) and exit (+++) lines and rt_sigreturn dropped (not system calls
#     the recorder prints: the crash context is another part's);
#   - the lines of flap-recorder run's own child before its first execve,
#     and the child's side of a fork (docs/output.md, difference 5).
# "Normalised" applies on top what docs/output.md documents as different
# (the NORMALISED rules below); a line counts when it is equal after both.
use strict;
use warnings;

my ($strace_file, $flap_file, $opt, $ndiff) = @ARGV;
die "usage: fidelity.pl STRACE_OUT FLAP_OUT [--diff N]\n" unless $flap_file;
$ndiff = 0 unless defined $opt && $opt eq '--diff';

# read_strace FILE -> ([pid, text]...)
sub read_strace {
	my ($file) = @_;
	my (@out, %pending);
	open(my $fh, "<", $file) or die "$file: $!";
	while (my $l = <$fh>) {
		chomp $l;
		next unless $l =~ /^(\d+) +(.*)$/;
		my ($pid, $text) = ($1, $2);
		next if $text =~ /^(---|\+\+\+) /;
		if ($text =~ /^(.*?) ?<unfinished \.\.\.>$/) {
			$pending{$pid} = $1;
			next;
		}
		if ($text =~ /^<\.\.\. \S+ resumed>(.*)$/) {
			my $rest = $1;
			my $head = $pending{$pid} // "";
			# "read(3, " + "\"x\", 1) = 1"; "close(3" + ") = 0"
			$text = $head . $rest;
			$text =~ s/, +,/,/;
			delete $pending{$pid};
		}
		push @out, [$pid, $text];
	}
	return @out;
}

# read_flap FILE -> ([pid, text]...)
sub read_flap {
	my ($file) = @_;
	my (@out, %started, $first);
	open(my $fh, "<", $file) or die "$file: $!";
	while (my $l = <$fh>) {
		chomp $l;
		next unless $l =~ /^\S+ \[pid (\d+)\] (.*?)(?: <\d+\.\d+>)?$/;
		my ($pid, $text) = ($1, $2);
		next if $text =~ /^\+\+\+ /;
		next if $text =~ /^(clone|clone3|fork|vfork)\(.*\) += 0$/;
		$first //= $pid;
		# run's child before the command's first execve
		$started{$pid} = 1 if $text =~ /^execve\(/ || $pid != $first;
		next unless $started{$pid};
		push @out, [$pid, $text];
	}
	return @out;
}

sub strict {
	my ($t, $pids) = @_;
	return undef if $t =~ /^rt_sigreturn\(/;
	$t =~ s/\b$_\b/PID/g for @$pids;
	$t =~ s/0x[0-9a-f]{5,}/ADDR/g;
	$t =~ s/(socket|pipe|anon_inode):\[\d+\]/$1:[INO]/g;
	$t =~ s/\[(TCP|UDP|TCPv6|UDPv6):\[[^\]]*\]\]/[$1:[ADDR]]/g;
	$t =~ s/htons\(\d+\)/htons(PORT)/g;
	$t =~ s/^getrandom\("[^"]*"(\.\.\.)?/getrandom("RANDOM"/;
	$t =~ s/\d+/N/g if $t =~ /^(sysinfo|times|clock_gettime|gettimeofday|time)\(/;
	# the free blocks and inodes of a file system change between the runs
	$t =~ s/\b(f_bfree|f_bavail|f_ffree)=\d+/$1=N/g;
	$t =~ s/(tv_sec|tv_nsec|tv_usec)=\d+/$1=N/g;
	$t =~ s{ /\* \d{4}-\d\d-\d\dT[0-9:.+]+ \*/}{ /* TIME */}g;
	$t =~ s/^read\((\d+<\/dev\/urandom>), "[^"]*"/read($1, "RANDOM"/;
	$t =~ s/= -?\d+( E[A-Z]+ \(.*\))?$/= N/ if $t =~ /^futex\(/;
	# malloc trims a new arena to its alignment: the sizes follow the address
	$t =~ s/^munmap\(ADDR, (\d+)\)/"munmap(ADDR, " . ($1 % 2097152 ? $1 : "ALIGN") . ")"/e;
	$t =~ s/ +$//;
	$t =~ s/\) +=/) =/;
	# the parent of the first process: strace, or flap-recorder run
	$t =~ s/^getppid\(\) = \d+$/getppid() = PPID/;
	return $t;
}

# NORMALISED: the differences docs/output.md lists.
sub normalised {
	my ($t) = @_;
	$t =~ s/AT_FDCWD<[^>]*>/AT_FDCWD/g;
	$t =~ s/<(socket|pipe):\[INO\]>/<$1>/g;
	$t =~ s/<(TCP|UDP|TCPv6|UDPv6|UNIX-STREAM|UNIX-DGRAM|UNIX-SEQPACKET|UNIX|NETLINK)(:\[[^<>]*\])?>/<socket>/g;
	$t =~ s{<(/[^<>]*)>}{"<" . resolved($1) . ">"}ge;
	$t =~ s{ /\* \d+ entries \*/}{}g;
	# structures and arrays the recorder does not decode print as their address
	1 while $t =~ s/\{[^{}]*\}/ADDR/g;
	1 while $t =~ s/\[[^\[\]]*\]/ADDR/g;
	$t =~ s/=> ADDR//g;
	return $t;
}

my %realpath;
sub resolved {
	my ($p) = @_;
	return $realpath{$p} //= do {
		require Cwd;
		my $r = Cwd::abs_path($p);
		defined $r ? $r : $p;
	};
}

# A multiset of lines; a futex line counts once however often it came: how
# often threads wait and wake follows their timing, which strace's stops
# change (its results are normalised by strict() for the same reason).
sub bag {
	my ($lines, $fn) = @_;
	my %b;
	for my $l (@$lines) {
		next unless defined $l;
		my $k = $fn ? $fn->($l) : $l;
		next unless defined $k;
		next if $k =~ /^futex\(/ && $b{$k};
		$b{$k}++;
	}
	return \%b;
}

sub same {
	my ($a, $b) = @_;
	my $n = 0;
	for my $k (keys %$a) {
		my $m = $b->{$k} // 0;
		$n += $a->{$k} < $m ? $a->{$k} : $m;
	}
	return $n;
}

my @s = read_strace($strace_file);
my @f = read_flap($flap_file);
my (%sp, %fp);
$sp{$_->[0]} = 1 for @s;
$fp{$_->[0]} = 1 for @f;
# longest first, so that 1234 is not replaced inside 12345
my @spids = sort { length($b) <=> length($a) } keys %sp;
my @fpids = sort { length($b) <=> length($a) } keys %fp;
my @st = map { strict($_->[1], \@spids) } @s;
my @ft = map { strict($_->[1], \@fpids) } @f;
my $sb = bag(\@st);
my $fb = bag(\@ft);
my $total = 0;
$total += $_ for values %$sb;
my $strict_same = same($sb, $fb);
my $norm_same = same(bag(\@st, \&normalised), bag(\@ft, \&normalised));
print "$total $strict_same $norm_same\n";

if ($ndiff) {
	my %left = %$fb;
	my %seen;
	for my $l (@st) {
		next unless defined $l;
		if (($left{$l} // 0) > 0) {
			$left{$l}--;
			next;
		}
		next if $seen{$l}++;
		last if $ndiff-- <= 0;
		my ($name) = $l =~ /^(\w+)\(/;
		my $best;
		if ($name) {
			for my $c (@ft) {
				next unless defined $c && index($c, "$name(") == 0;
				$best = $c if !defined $best || common($c, $l) > common($best, $l);
			}
		}
		print "- $l\n";
		print "+ ", $best // "(no $name call)", "\n";
	}
}

sub common {
	my ($x, $y) = @_;
	my $n = 0;
	$n++ while $n < length($x) && $n < length($y) && substr($x, $n, 1) eq substr($y, $n, 1);
	return $n;
}
