#!/usr/bin/perl
# The MARC::Lint oracle for tests/lint.rs: reads lines "ID<TAB>PATH<TAB>OFFSET<TAB>LENGTH"
# on stdin, decodes those bytes of PATH as one ISO 2709 record (MARC::File::USMARC), runs
# MARC::Lint's check_record on it, and prints "ID<TAB>WARNING" for each warning, then
# "ID<TAB>!done" (or "ID<TAB>!died ..." when MARC::Lint dies part way, keeping the
# warnings it gave before), after "ID<TAB>!damaged" when decoding the record warned. Warnings are printed with tabs and line feeds escaped.
use strict;
use warnings;
use MARC::Lint;
use MARC::File::USMARC;

$| = 0;
binmode STDOUT, ':utf8';
# MARC::Record warns about damaged records on STDERR; the test compares lint warnings only.
$SIG{__WARN__} = sub { };
my $lint = MARC::Lint->new();
my %fh;
while (my $line = <STDIN>) {
    chomp $line;
    my ($id, $path, $offset, $length) = split /\t/, $line;
    my $fh = $fh{$path} //= do {
        open(my $f, '<:raw', $path) or die "cannot open $path: $!";
        $f;
    };
    seek($fh, $offset, 0) or die "seek $path: $!";
    my $raw = '';
    read($fh, $raw, $length) == $length or die "short read in $path at $offset";
    my $record = eval { MARC::File::USMARC->decode($raw) };
    if (!$record) {
        print "$id\t!undecodable\n";
        next;
    }
    # MARC::File::USMARC reads a damaged record its own way (and says so).
    print "$id\t!damaged\n" if $record->warnings();
    my $ok = eval { $lint->check_record($record); 1 };
    for my $w ($lint->warnings) {
        $w =~ s/\t/\\t/g;
        $w =~ s/\r/\\r/g;
        $w =~ s/\n/\\n/g;
        print "$id\t$w\n";
    }
    if ($ok) {
        print "$id\t!done\n";
    } else {
        my $e = $@;
        $e =~ s/\s+/ /g;
        print "$id\t!died $e\n";
    }
}
